// Records client error reports durably before acknowledging them, within limits: per address
// and per account, and how many and how old the stored reports may be.
#pragma once

#include <array>
#include <atomic>
#include <string>

#include "poki/auth/rate_limiter.hpp"
#include "poki/core/config.hpp"
#include "poki/core/periodic.hpp"
#include "poki/db/pool.hpp"
#include "poki/diagnostics/client_error.hpp"

namespace poki::diagnostics {

class client_error_service {
  public:
    client_error_service(db::pool& database, cache::redis_client& redis,
                         const diagnostics_config& cfg)
        : database_{database}, limiter_{redis}, config_{cfg} {}

    /// Stores the report; returns its id once PostgreSQL has committed it. errc::too_many_requests
    /// past diagnostics.reports_per_address (or _per_account) in the window.
    awaitable<std::int64_t> record(client_error_report report, reporter from,
                                   std::string request_id);

    /// Deletes reports past diagnostics.retention_days and beyond the newest max_stored (one
    /// instance per period); nullopt when another instance ran it.
    awaitable<std::optional<std::int64_t>> prune();
    awaitable<void> run_retention(job_monitor& jobs);

    void render_metrics(std::string& out) const;

  private:
    db::pool& database_;
    auth::rate_limiter limiter_;
    const diagnostics_config& config_;
    std::atomic<std::uint64_t> pruned_{0};
    std::array<std::atomic<std::uint64_t>, 3> recorded_{};
};

}  // namespace poki::diagnostics
