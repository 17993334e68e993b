// The composition root: builds every service in dependency order, runs the io threads,
// and shuts down in reverse on SIGTERM or SIGINT.
#pragma once

#include <functional>
#include <memory>
#include <optional>

#include <boost/asio/io_context.hpp>

#include "poki/auth/auth_service.hpp"
#include "poki/cache/redis_client.hpp"
#include "poki/calendar/calendar_service.hpp"
#include "poki/calls/call_service.hpp"
#include "poki/chat/chat_service.hpp"
#include "poki/chat/message_writer.hpp"
#include "poki/core/access_log.hpp"
#include "poki/core/config.hpp"
#include "poki/core/metrics.hpp"
#include "poki/core/periodic.hpp"
#include "poki/core/request_id.hpp"
#include "poki/db/migrations.hpp"
#include "poki/db/pool.hpp"
#include "poki/db/read_pipeline.hpp"
#include "poki/diagnostics/client_error_service.hpp"
#include "poki/family/family_service.hpp"
#include "poki/gifts/gift_service.hpp"
#include "poki/grapes/board_service.hpp"
#include "poki/http/dispatcher.hpp"
#include "poki/http/http_metrics.hpp"
#include "poki/http/router.hpp"
#include "poki/http/server.hpp"
#include "poki/ideas/idea_service.hpp"
#include "poki/missions/mission_service.hpp"
#include "poki/notify/device_service.hpp"
#include "poki/notify/event_hub.hpp"
#include "poki/notify/event_service.hpp"
#include "poki/notify/push_worker.hpp"
#include "poki/ops/handover.hpp"
#include "poki/ops/ops_service.hpp"
#include "poki/ops/service_notifier.hpp"
#include "poki/presence/presence_tracker.hpp"
#include "poki/realtime/socket_hub.hpp"
#include "poki/reservations/reservation_service.hpp"
#include "poki/web/static_site.hpp"

namespace poki {

/// An io_context that can drop its pending handlers while the objects they refer to (sessions
/// refer to the server) are still alive; ~io_context would do it only after they are gone.
class io_runtime : public net::io_context {
  public:
    using net::io_context::io_context;
    void discard_pending_handlers() { shutdown(); }
};

/// `poki serve --take-over PID [--ready-fd N]`: this server replaces a running one.
struct take_over_plan {
    std::optional<pid_t> from;
    std::optional<int> ready_fd;  ///< `poki handover` learns here that we serve
};

class app {
  public:
    explicit app(config cfg);
    ~app();
    app(const app&) = delete;
    app& operator=(const app&) = delete;

    /// Serves until SIGTERM or SIGINT, then drains; returns the process exit code. Throws
    /// config_error when the configuration is not fit to serve (no signing key).
    /// `reread` gives the configuration anew for SIGHUP, which applies its log level and TLS
    /// certificate without a restart (the rest needs one). With `take_over.from`, the server
    /// at that pid shares our ports until we are ready, then is asked to drain and exit.
    int run(std::function<config()> reread = {}, take_over_plan take_over = {});

    /// Every route as (method, path template), in registration order: `poki routes`, which
    /// the tests walk so a new route is attacked the day it is added.
    [[nodiscard]] std::vector<std::pair<std::string, std::string>> route_table() const;

  private:
    void build_routes();
    /// A member signed out everywhere or removed: their open connections close, here and
    /// (when it happened here) on every other instance.
    void end_sessions(std::int64_t user_id, std::int64_t generation_floor,
                      auth::revocation_source source);
    /// WATCHDOG=1 at the interval the service manager asked for, when it asked.
    void start_watchdog();
    /// SIGTERM: /readyz fails, the manager hears STOPPING=1, http.unready_delay_ms passes,
    /// the listeners close, requests in flight finish, background work ends.
    awaitable<void> shut_down();
    /// SIGHUP: the new log level and certificate, or, when the configuration does not load,
    /// the running ones kept and the reason logged.
    void reload(const std::function<config()>& reread);
    /// Every listener's new connections go where `choice` says (see http::server::steer).
    void steer(http::steering choice);
    /// Ready: new connections come here, the old server drains, and once it is gone the
    /// kernel spreads connections by itself again.
    awaitable<void> complete_take_over(ops::predecessor old, std::optional<int> ready_fd);

    config config_;
    io_runtime ioc_;
    metrics_registry metrics_;
    job_monitor jobs_;
    request_id_generator request_ids_;
    std::unique_ptr<log::access_log> access_log_;
    db::pool database_;
    db::read_pipeline reads_;
    cache::redis_client redis_;
    ops::ops_service ops_;
    ops::service_notifier notifier_;
    notify::event_service events_;
    presence::presence_tracker presence_;
    notify::event_hub event_hub_;
    notify::push_worker push_;
    auth::auth_service auth_;
    family::family_service families_;
    notify::device_service devices_;
    chat::message_writer chat_writer_;
    chat::chat_service chat_;
    gifts::gift_service gifts_;
    grapes::board_service boards_;
    missions::mission_service missions_;
    ideas::model_client idea_model_;
    ideas::idea_service ideas_;
    reservations::reservation_service reservations_;
    calendar::calendar_service calendar_;
    diagnostics::client_error_service client_errors_;
    realtime::socket_hub sockets_;
    calls::call_service calls_;
    std::optional<web::static_site> web_app_;  ///< none: the API only
    http::router router_;
    std::unique_ptr<http::http_metrics> http_metrics_;
    std::unique_ptr<http::dispatcher> dispatcher_;
    std::unique_ptr<http::server> server_;

    /// metrics.port's listener, for operators: its own routes, request metrics and server.
    struct operator_listener {
        http::router routes;
        std::unique_ptr<http::http_metrics> metrics;
        std::unique_ptr<http::dispatcher> dispatch;
        std::unique_ptr<http::server> server;
    };
    std::unique_ptr<operator_listener> operator_;
};

/// A direct connection for start-up's work, retried for database.connect_retry_ms while the
/// database refuses (it may come up a moment after us); throws the last failure.
pqxx::connection connect_at_start(const database_config& cfg);

/// Applies pending migrations with a direct connection (no pool); throws on failure.
db::migration_report migrate_database(const database_config& cfg);

}  // namespace poki
