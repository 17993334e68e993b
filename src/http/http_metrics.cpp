#include "poki/http/http_metrics.hpp"

namespace poki::http {

struct http_metrics::slot {
    static constexpr unsigned first_status = 100;
    static constexpr unsigned status_count = 500;

    std::string labels;  // route="…",method="…"
    std::array<std::atomic<std::uint64_t>, status_count> by_status{};
    histogram latency{latency_buckets()};
};

http_metrics::http_metrics(const router& r) {
    for (const auto& rt : r.routes()) {
        auto s = std::make_unique<slot>();
        s->labels = "route=\"" + escape_label(rt->path_template) + "\",method=\"" +
                    std::string{beast::http::to_string(rt->method)} + "\"";
        slots_.push_back(std::move(s));
    }
    auto unmatched = std::make_unique<slot>();
    unmatched->labels = R"(route="unmatched",method="")";
    slots_.push_back(std::move(unmatched));
}

http_metrics::~http_metrics() = default;

void http_metrics::record(const route* matched, unsigned status_code, double seconds) noexcept {
    auto& s = matched != nullptr && matched->index + 1 < slots_.size() ? *slots_[matched->index]
                                                                       : *slots_.back();
    if (status_code >= slot::first_status &&
        status_code < slot::first_status + slot::status_count) {
        s.by_status[status_code - slot::first_status].fetch_add(1, std::memory_order_relaxed);
    }
    s.latency.observe(seconds);
}

void http_metrics::connection_opened() noexcept {
    open_connections_.fetch_add(1, std::memory_order_relaxed);
    accepted_connections_.fetch_add(1, std::memory_order_relaxed);
}

void http_metrics::connection_closed() noexcept {
    open_connections_.fetch_sub(1, std::memory_order_relaxed);
}

void http_metrics::connection_rejected() noexcept {
    rejected_connections_.fetch_add(1, std::memory_order_relaxed);
}

void http_metrics::render(std::string& out) const {
    append_metric_header(out, "poki_http_requests_total", "counter",
                         "HTTP requests by route template, method and status.");
    for (const auto& s : slots_) {
        for (unsigned i = 0; i < slot::status_count; ++i) {
            const auto n = s->by_status[i].load(std::memory_order_relaxed);
            if (n != 0) {
                append_metric(
                    out, "poki_http_requests_total",
                    s->labels + ",status=\"" + std::to_string(i + slot::first_status) + "\"",
                    static_cast<double>(n));
            }
        }
    }
    append_metric_header(out, "poki_http_request_duration_seconds", "histogram",
                         "Time from a complete request to its response, by route.");
    for (const auto& s : slots_) {
        if (s->latency.count() != 0) {
            s->latency.render(out, "poki_http_request_duration_seconds", s->labels);
        }
    }
    append_single_metric(out, "poki_http_open_connections", "gauge", "Open client connections.",
                         static_cast<double>(open_connections()));
    append_counter(out, "poki_http_connections_total", "Client connections accepted.",
                   accepted_connections_);
    append_counter(out, "poki_http_connections_rejected_total",
                   "Connections refused because http.max_connections was reached.",
                   rejected_connections_);
}

}  // namespace poki::http
