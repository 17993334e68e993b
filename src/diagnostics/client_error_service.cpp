#include "poki/diagnostics/client_error_service.hpp"

#include "poki/core/log.hpp"
#include "poki/core/metrics.hpp"
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

awaitable<std::int64_t> client_error_service::record(client_error_report report,
                                                     std::string request_id) {
    const auto platform = report.platform;
    auto insert = [report = std::move(report), request_id = std::move(request_id)](pqxx::work& tx) {
        return client_error_repository::insert(tx, report, request_id);
    };
    const auto id = co_await database_.transaction(std::move(insert));
    recorded_.at(static_cast<std::size_t>(platform)).fetch_add(1, std::memory_order_relaxed);
    // The message itself stays out of the log: apps may put anything in it.
    log::info("client error recorded", {{"id", id}, {"platform", to_string(platform)}});
    co_return id;
}

void client_error_service::render_metrics(std::string& out) const {
    append_metric_header(out, "poki_client_errors_total", "counter",
                         "Error reports received from apps.");
    for (const auto p : {client_platform::ios, client_platform::android, client_platform::web}) {
        append_metric(out, "poki_client_errors_total",
                      "platform=\"" + std::string{to_string(p)} + "\"",
                      static_cast<double>(recorded_.at(static_cast<std::size_t>(p)).load()));
    }
}

}  // namespace poki::diagnostics
