#include "poki/core/periodic.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "poki/core/log.hpp"
#include "poki/core/metrics.hpp"

namespace poki {

void job_monitor::add(std::string_view job) {
    const std::lock_guard lock{mutex_};
    if (!jobs_.contains(job)) {
        jobs_.emplace(std::string{job}, record{});
    }
}

void job_monitor::succeeded(std::string_view job) {
    const auto now =
        std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch());
    const std::lock_guard lock{mutex_};
    auto it = jobs_.try_emplace(std::string{job}).first;
    ++it->second.runs;
    it->second.last_success_unix_s = now.count();
}

void job_monitor::failed(std::string_view job) {
    const std::lock_guard lock{mutex_};
    auto it = jobs_.try_emplace(std::string{job}).first;
    ++it->second.runs;
    ++it->second.failures;
}

void job_monitor::render_metrics(std::string& out) const {
    const std::lock_guard lock{mutex_};
    const auto family = [&](std::string_view name, std::string_view type, std::string_view help,
                            auto value_of) {
        append_metric_header(out, name, type, help);
        for (const auto& [job, r] : jobs_) {
            append_metric(out, name, "job=\"" + escape_label(job) + "\"", value_of(r));
        }
    };
    family("poki_job_runs_total", "counter", "Runs of each background job here.",
           [](const record& r) { return static_cast<double>(r.runs); });
    family("poki_job_failures_total", "counter", "Runs of each background job that failed.",
           [](const record& r) { return static_cast<double>(r.failures); });
    family("poki_job_last_success_timestamp_seconds", "gauge",
           "When each background job last ran to the end here (Unix time; 0: not yet).",
           [](const record& r) { return r.last_success_unix_s; });
}

awaitable<void> run_periodically(std::string name, std::chrono::milliseconds period,
                                 std::function<awaitable<void>()> job, job_monitor& jobs) {
    jobs.add(name);
    net::steady_timer timer{co_await net::this_coro::executor};
    while (true) {
        try {
            co_await job();
            jobs.succeeded(name);
        } catch (const std::exception& e) {
            jobs.failed(name);
            log::warn(name + " failed; the next run will retry", {{"error", e.what()}});
        }
        timer.expires_after(period);
        co_await timer.async_wait(net::use_awaitable);
    }
}

}  // namespace poki
