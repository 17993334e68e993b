#include "poki/diagnostics/client_error_service.hpp"

#include "poki/core/log.hpp"
#include "poki/core/metrics.hpp"
#include "poki/core/periodic.hpp"
#include "poki/db/claimed_batches.hpp"
#include "poki/diagnostics/client_error_repository.hpp"

namespace poki::diagnostics {

std::string_view to_string(client_platform p) noexcept {
    switch (p) {
        case client_platform::ios:
            return "ios";
        case client_platform::android:
            return "android";
        case client_platform::web:
            return "web";
    }
    return "web";
}

std::optional<client_platform> parse_platform(std::string_view text) noexcept {
    if (text == "ios") {
        return client_platform::ios;
    }
    if (text == "android") {
        return client_platform::android;
    }
    if (text == "web") {
        return client_platform::web;
    }
    return std::nullopt;
}

awaitable<std::int64_t> client_error_service::record(client_error_report report, reporter from,
                                                     std::string request_id) {
    const std::chrono::seconds window{config_.report_window_s};
    co_await limiter_.hit("poki:rl:client-errors:address:" + from.address,
                          config_.reports_per_address, window);
    if (from.user_id) {
        co_await limiter_.hit("poki:rl:client-errors:user:" + std::to_string(*from.user_id),
                              config_.reports_per_account, window);
    }
    const auto platform = report.platform;
    auto insert = [report = std::move(report), user_id = from.user_id,
                   request_id = std::move(request_id)](pqxx::work& tx) {
        return client_error_repository::insert(tx, report, user_id, request_id);
    };
    const auto id = co_await database_.transaction(std::move(insert));
    recorded_.at(static_cast<std::size_t>(platform)).fetch_add(1, std::memory_order_relaxed);
    // The message itself stays out of the log: apps may put anything in it.
    log::info("client error recorded", {{"id", id}, {"platform", to_string(platform)}});
    co_return id;
}

awaitable<std::optional<std::int64_t>> client_error_service::prune() {
    db::batch_step step = [days = config_.retention_days, keep = config_.max_stored](
                              pqxx::work& tx, std::int64_t batch) {
        return client_error_repository::prune(tx, days, keep, batch);
    };
    const auto done = co_await db::run_claimed_batches(
        database_, "client_errors.retention", config_.prune_interval_s, 5000, std::move(step));
    if (done && *done > 0) {
        pruned_.fetch_add(static_cast<std::uint64_t>(*done), std::memory_order_relaxed);
        log::info("old client error reports deleted", {{"deleted", *done}});
    }
    co_return done;
}

awaitable<void> client_error_service::run_retention(job_monitor& jobs) {
    std::function<awaitable<void>()> job = [this]() -> awaitable<void> { co_await prune(); };
    co_await run_periodically("client error retention",
                              std::chrono::seconds{config_.prune_interval_s}, std::move(job), jobs);
}

void client_error_service::render_metrics(std::string& out) const {
    append_metric_header(out, "poki_client_errors_pruned_total", "counter",
                         "Client error reports deleted by retention and the storage cap.");
    append_metric(out, "poki_client_errors_pruned_total", "", static_cast<double>(pruned_.load()));
    append_metric_header(out, "poki_client_errors_total", "counter",
                         "Error reports received from apps.");
    for (const auto p : {client_platform::ios, client_platform::android, client_platform::web}) {
        append_metric(out, "poki_client_errors_total",
                      "platform=\"" + std::string{to_string(p)} + "\"",
                      static_cast<double>(recorded_.at(static_cast<std::size_t>(p)).load()));
    }
}

}  // namespace poki::diagnostics
