#include "poki/ops/process_metrics.hpp"

#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string_view>
#include <sys/resource.h>
#include <unistd.h>
#include <vector>

#include "poki/core/metrics.hpp"

namespace poki::ops {
namespace {

std::string read_file(const char* path) {
    std::ifstream in{path};
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

/// The fields of /proc/self/stat after the command name, which may hold spaces and
/// parentheses itself: field 3 (state) is the first element.
std::vector<std::string> stat_fields() {
    const auto text = read_file("/proc/self/stat");
    const auto end_of_name = text.rfind(')');
    if (end_of_name == std::string::npos) {
        return {};
    }
    std::istringstream rest{text.substr(end_of_name + 1)};
    std::vector<std::string> fields;
    for (std::string field; rest >> field;) {
        fields.push_back(std::move(field));
    }
    return fields;
}

/// Field `n` of /proc/self/stat as numbered in proc(5).
std::optional<double> stat_field(const std::vector<std::string>& fields, std::size_t n) {
    constexpr std::size_t first = 3;
    if (n < first || n - first >= fields.size()) {
        return std::nullopt;
    }
    try {
        return std::stod(fields[n - first]);
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

std::optional<double> boot_time_s() {
    std::istringstream stat{read_file("/proc/stat")};
    for (std::string line; std::getline(stat, line);) {
        if (line.starts_with("btime ")) {
            return std::stod(line.substr(6));
        }
    }
    return std::nullopt;
}

std::optional<double> open_descriptors() {
    std::error_code ec;
    std::filesystem::directory_iterator it{"/proc/self/fd", ec};
    if (ec) {
        return std::nullopt;
    }
    double count = 0;
    for (const auto& entry : it) {
        (void)entry;
        ++count;
    }
    return count - 1;  // the iterator's own descriptor
}

void gauge(std::string& out, std::string_view name, std::string_view type, std::string_view help,
           std::optional<double> value) {
    if (value) {
        append_single_metric(out, name, type, help, *value);
    }
}

}  // namespace

void render_build_info(std::string& out) {
#ifdef NDEBUG
    constexpr std::string_view build = "release";
#else
    constexpr std::string_view build = "debug";
#endif
    append_metric_header(out, "poki_build_info", "gauge",
                         "Always 1; the labels name the running build.");
    append_metric(out, "poki_build_info",
                  "version=\"" + escape_label(POKI_VERSION) + "\",compiler=\"" +
                      escape_label(__VERSION__) + "\",build=\"" + std::string{build} + "\"",
                  1);
}

void render_process_metrics(std::string& out) {
    const auto fields = stat_fields();
    const auto ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
    const auto page = static_cast<double>(sysconf(_SC_PAGESIZE));
    const auto utime = stat_field(fields, 14);
    const auto stime = stat_field(fields, 15);
    if (utime && stime && ticks > 0) {
        gauge(out, "process_cpu_seconds_total", "counter", "User and system CPU time spent.",
              (*utime + *stime) / ticks);
    }
    if (const auto rss = stat_field(fields, 24)) {
        gauge(out, "process_resident_memory_bytes", "gauge", "Resident memory size.", *rss * page);
    }
    gauge(out, "process_virtual_memory_bytes", "gauge", "Virtual memory size.",
          stat_field(fields, 23));
    gauge(out, "process_threads", "gauge", "Threads of the process.", stat_field(fields, 20));
    gauge(out, "process_open_fds", "gauge", "Open file descriptors.", open_descriptors());
    rlimit files{};
    if (getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur != RLIM_INFINITY) {
        gauge(out, "process_max_fds", "gauge", "The limit on open file descriptors.",
              static_cast<double>(files.rlim_cur));
    }
    const auto started = stat_field(fields, 22);
    const auto boot = boot_time_s();
    if (started && boot && ticks > 0) {
        gauge(out, "process_start_time_seconds", "gauge", "When the process started (Unix time).",
              *boot + *started / ticks);
    }
}

}  // namespace poki::ops
