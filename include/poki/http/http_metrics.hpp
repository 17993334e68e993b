// Request counts by route and status, latency histograms and connection gauges.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "poki/core/metrics.hpp"
#include "poki/http/router.hpp"

namespace poki::http {

class http_metrics {
  public:
    /// One slot per route of `r` plus one for unmatched requests; `r` must be complete.
    explicit http_metrics(const router& r);
    ~http_metrics();
    http_metrics(const http_metrics&) = delete;
    http_metrics& operator=(const http_metrics&) = delete;

    void record(const route* matched, unsigned status_code, double seconds) noexcept;
    void connection_opened() noexcept;
    void connection_closed() noexcept;
    void connection_rejected() noexcept;
    [[nodiscard]] std::int64_t open_connections() const noexcept {
        return open_connections_.load(std::memory_order_relaxed);
    }

    void render(std::string& out) const;

  private:
    struct slot;
    std::vector<std::unique_ptr<slot>> slots_;
    std::atomic<std::int64_t> open_connections_{0};
    std::atomic<std::uint64_t> accepted_connections_{0};
    std::atomic<std::uint64_t> rejected_connections_{0};
};

}  // namespace poki::http
