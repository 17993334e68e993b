// run_periodically's record: a run that throws counts as a failure and leaves the last
// success where it was; the next run that ends well moves it.
#include "poki/core/periodic.hpp"

#include <chrono>
#include <stdexcept>
#include <string>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

namespace poki {
namespace {

std::string rendered(const job_monitor& jobs) {
    std::string out;
    jobs.render_metrics(out);
    return out;
}

TEST(JobMonitor, AJobIsListedBeforeItFirstSucceeds) {
    job_monitor jobs;
    jobs.add("nightly sweep");
    const auto text = rendered(jobs);
    EXPECT_NE(text.find("poki_job_runs_total{job=\"nightly sweep\"} 0\n"), std::string::npos)
        << text;
    EXPECT_NE(text.find("poki_job_last_success_timestamp_seconds{job=\"nightly sweep\"} 0\n"),
              std::string::npos)
        << text;
    EXPECT_EQ(text.find("# TYPE poki_job_runs_total counter"),
              text.rfind("# TYPE poki_job_runs_total counter"));
}

TEST(JobMonitor, FailuresCountAndOnlyASuccessMovesTheLastSuccess) {
    net::io_context ioc;
    job_monitor jobs;
    int runs = 0;
    std::function<awaitable<void>()> job = [&]() -> awaitable<void> {
        ++runs;
        if (runs == 3) {
            ioc.stop();
        }
        if (runs <= 2) {
            throw std::runtime_error{"database away"};
        }
        co_return;
    };
    const auto before = std::chrono::system_clock::now();
    net::co_spawn(ioc, run_periodically("flaky", std::chrono::milliseconds{1}, job, jobs),
                  net::detached);
    ioc.run_for(std::chrono::seconds{10});
    ASSERT_EQ(runs, 3);
    const auto text = rendered(jobs);
    EXPECT_NE(text.find("poki_job_runs_total{job=\"flaky\"} 3\n"), std::string::npos) << text;
    EXPECT_NE(text.find("poki_job_failures_total{job=\"flaky\"} 2\n"), std::string::npos) << text;
    const auto at = text.find("poki_job_last_success_timestamp_seconds{job=\"flaky\"} ");
    ASSERT_NE(at, std::string::npos) << text;
    const auto last = std::stod(text.substr(text.find("} ", at) + 2));
    EXPECT_GE(last, std::chrono::duration<double>(before.time_since_epoch()).count() - 1);
}

}  // namespace
}  // namespace poki
