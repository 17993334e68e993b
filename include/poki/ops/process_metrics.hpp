// What every Prometheus exporter reports about itself: the build, and the process as the
// kernel sees it (CPU, memory, descriptors, threads, start time), read from /proc at scrape.
#pragma once

#include <string>

namespace poki::ops {

/// poki_build_info{version,compiler,build} 1.
void render_build_info(std::string& out);

/// process_cpu_seconds_total, process_resident_memory_bytes, process_virtual_memory_bytes,
/// process_open_fds, process_max_fds, process_threads, process_start_time_seconds (the names
/// client libraries use, so existing dashboards work). Nothing is written for what /proc
/// does not give.
void render_process_metrics(std::string& out);

}  // namespace poki::ops
