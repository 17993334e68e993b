// Push devices kept fresh: registered and refreshed by the apps, touched at login, and pruned
// on a schedule when not seen for a while (exactly once across instances: SKIP LOCKED).
#pragma once

#include <atomic>
#include <optional>
#include <string>

#include "poki/core/config.hpp"
#include "poki/core/periodic.hpp"
#include "poki/core/principal.hpp"
#include "poki/db/pool.hpp"
#include "poki/notify/device_repository.hpp"

namespace poki::notify {

class device_service {
  public:
    device_service(db::pool& database, const devices_config& cfg);

    awaitable<device> register_device(principal who, std::string token, std::string platform,
                                      std::string app_version);
    /// errc::not_found when the token is not the caller's.
    awaitable<void> unregister_device(principal who, std::string token);

    /// Signing in proves the member's devices are alive: keeps them from being pruned.
    /// Blocking, inside the sign-in's transaction (auth_service::on_sign_in).
    static void signed_in(pqxx::transaction_base& tx, std::int64_t user_id);

    /// One pruning pass, unless another instance ran one within devices.prune_interval_s
    /// (nullopt): deletes stale tokens in batches; returns how many.
    awaitable<std::optional<std::int64_t>> prune_stale();

    /// Prunes every devices.prune_interval_s until the io_context stops.
    awaitable<void> run_pruning(job_monitor& jobs);

    void render_metrics(std::string& out) const;

  private:
    db::pool& database_;
    const devices_config& config_;
    std::atomic<std::uint64_t> prune_runs_{0};
    std::atomic<std::uint64_t> pruned_{0};
};

}  // namespace poki::notify
