#include "poki/notify/device_service.hpp"

#include "poki/core/error.hpp"
#include "poki/core/log.hpp"
#include "poki/core/metrics.hpp"
#include "poki/core/periodic.hpp"
#include "poki/db/claimed_batches.hpp"

namespace poki::notify {

device_service::device_service(db::pool& database, const devices_config& cfg)
    : database_{database}, config_{cfg} {
    device_repository::declare_statements(database_);
}

void device_service::signed_in(pqxx::transaction_base& tx, std::int64_t user_id) {
    device_repository::touch_user(tx, user_id);
}

awaitable<device> device_service::register_device(principal who, std::string token,
                                                  std::string platform, std::string app_version) {
    auto upsert = [who, token = std::move(token), platform = std::move(platform),
                   app_version = std::move(app_version)](pqxx::work& tx) {
        return device_repository::upsert(tx, token, who.user_id, platform, app_version);
    };
    co_return co_await database_.transaction(std::move(upsert));
}

awaitable<void> device_service::unregister_device(principal who, std::string token) {
    auto remove = [who, token = std::move(token)](pqxx::work& tx) {
        return device_repository::remove(tx, token, who.user_id);
    };
    if (!co_await database_.transaction(std::move(remove))) {
        throw error{errc::not_found, "No such device of yours."};
    }
}

awaitable<std::optional<std::int64_t>> device_service::prune_stale() {
    constexpr int batch = 500;
    const std::int64_t stale_seconds = std::int64_t{config_.stale_after_days} * 24 * 3600;
    db::batch_step step = [stale_seconds](pqxx::work& tx, std::int64_t size) {
        return device_repository::prune(tx, stale_seconds, static_cast<int>(size));
    };
    const auto total = co_await db::run_claimed_batches(
        database_, "devices.pruning", config_.prune_interval_s, batch, std::move(step));
    if (!total) {
        co_return total;  // another instance has this period's run
    }
    prune_runs_.fetch_add(1, std::memory_order_relaxed);
    pruned_.fetch_add(static_cast<std::uint64_t>(*total), std::memory_order_relaxed);
    if (*total > 0) {
        log::info("stale push devices pruned", {{"deleted", *total}});
    }
    co_return total;
}

awaitable<void> device_service::run_pruning(job_monitor& jobs) {
    std::function<awaitable<void>()> job = [this]() -> awaitable<void> { co_await prune_stale(); };
    co_await run_periodically("device pruning", std::chrono::seconds{config_.prune_interval_s},
                              std::move(job), jobs);
}

void device_service::render_metrics(std::string& out) const {
    append_metric_header(out, "poki_device_prune_runs_total", "counter",
                         "Runs of the push-device pruning job.");
    append_metric(out, "poki_device_prune_runs_total", "", static_cast<double>(prune_runs_.load()));
    append_metric_header(out, "poki_device_pruned_total", "counter", "Stale push devices deleted.");
    append_metric(out, "poki_device_pruned_total", "", static_cast<double>(pruned_.load()));
}

}  // namespace poki::notify
