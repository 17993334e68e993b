// A background job that runs now and then every period until the io_context stops. A run
// that fails is logged and the next one retries; jobs that must run once across instances
// claim each run inside (db::claim_scheduled_run). Every run is recorded in a job_monitor,
// so an operator sees a job that has stopped succeeding before its backlog does.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

#include "poki/core/net.hpp"

namespace poki {

/// Each job's runs, failures and last success, for /metrics. Thread-safe.
class job_monitor {
  public:
    /// The job exists from now on (a job that never succeeded shows 0, not nothing).
    void add(std::string_view job);
    void succeeded(std::string_view job);
    void failed(std::string_view job);

    /// poki_job_runs_total, poki_job_failures_total, poki_job_last_success_timestamp_seconds.
    void render_metrics(std::string& out) const;

  private:
    struct record {
        std::uint64_t runs = 0;
        std::uint64_t failures = 0;
        double last_success_unix_s = 0;
    };
    mutable std::mutex mutex_;
    std::map<std::string, record, std::less<>> jobs_;
};

awaitable<void> run_periodically(std::string name, std::chrono::milliseconds period,
                                 std::function<awaitable<void>()> job, job_monitor& jobs);

}  // namespace poki
