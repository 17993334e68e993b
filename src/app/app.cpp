#include "app.hpp"

#include <array>
#include <functional>
#include <thread>
#include <unistd.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "poki/auth/auth_routes.hpp"
#include "poki/calendar/calendar_routes.hpp"
#include "poki/calls/call_messages.hpp"
#include "poki/calls/calls_routes.hpp"
#include "poki/chat/chat_routes.hpp"
#include "poki/core/log.hpp"
#include "poki/core/periodic.hpp"
#include "poki/db/request_keys.hpp"
#include "poki/diagnostics/client_error_routes.hpp"
#include "poki/family/family_routes.hpp"
#include "poki/gifts/gift_routes.hpp"
#include "poki/grapes/grape_routes.hpp"
#include "poki/ideas/idea_routes.hpp"
#include "poki/missions/mission_routes.hpp"
#include "poki/notify/device_routes.hpp"
#include "poki/notify/event_routes.hpp"
#include "poki/ops/ops_routes.hpp"
#include "poki/ops/process_metrics.hpp"
#include "poki/realtime/realtime_routes.hpp"
#include "poki/reservations/reservation_routes.hpp"
#include "poki/web/web_routes.hpp"

namespace poki {
namespace {

int io_thread_count(const http_config& cfg) {
    if (cfg.threads > 0) {
        return cfg.threads;
    }
    return static_cast<int>(std::max(1U, std::thread::hardware_concurrency()));
}

http::cors_policy cors_of(const http_config& cfg) {
    try {
        return http::cors_policy{cfg.allowed_origins};
    } catch (const std::invalid_argument& e) {
        throw config_error{"config: http.allowed_origins: " + std::string{e.what()}};
    }
}

http::proxy_trust proxies_of(const http_config& cfg) {
    try {
        return http::proxy_trust{cfg.trusted_proxies};
    } catch (const std::invalid_argument& e) {
        throw config_error{"config: http.trusted_proxies: " + std::string{e.what()}};
    }
}

/// What serving needs beyond what load_config checks.
void check_ready_to_serve(const config& cfg) {
    if (cfg.auth.jwt_secret.empty() && !cfg.development()) {
        throw config_error{
            "config: auth.jwt_secret (or auth.jwt_secret_file) must be set: without it every "
            "restart signs everyone out and instances reject each other's tokens (a random key "
            "is allowed only with mode \"development\")"};
    }
}

/// The built web app, or none when web.root is empty and this build did not build it (a
/// server-only build, or a binary copied away from its build). A root the operator named
/// must load.
std::optional<web::static_site> load_web_app(const web_config& cfg) {
    const auto root = cfg.root.empty() ? web_config::default_web_root() : cfg.root;
    std::error_code ec;
    if (cfg.root.empty() && (root.empty() || !std::filesystem::exists(
                                                 std::filesystem::path{root} / "index.html", ec))) {
        log::warn("web app not built and web.root not set: serving the API only");
        return std::nullopt;
    }
    try {
        auto site = web::static_site::load(root);
        log::info(
            "web app loaded",
            {{"web_root", root}, {"files", site.file_count()}, {"bytes", site.total_bytes()}});
        return site;
    } catch (const std::exception& e) {
        throw config_error{"config: " + std::string{e.what()}};
    }
}

}  // namespace

pqxx::connection connect_at_start(const database_config& cfg) {
    const auto give_up_at = std::chrono::steady_clock::now() + cfg.connect_retry;
    auto pause = milliseconds{250};
    for (int attempt = 1;; ++attempt) {
        try {
            return pqxx::connection{cfg.url};
        } catch (const pqxx::broken_connection& e) {
            if (std::chrono::steady_clock::now() + pause > give_up_at) {
                throw;
            }
            // The first failure says why; later ones only that we still wait.
            if (attempt == 1) {
                log::warn("database not reachable yet; retrying",
                          {{"error", e.what()}, {"retry_for_ms", cfg.connect_retry.count()}});
            }
            std::this_thread::sleep_for(pause);
            pause = std::min(pause * 2, milliseconds{2000});
        }
    }
}

db::migration_report migrate_database(const database_config& cfg) {
    const auto migrations = db::load_migrations(cfg.migrations_dir);
    auto connection = connect_at_start(cfg);
    return db::apply_migrations(connection, migrations);
}

app::app(config cfg)
    : config_{std::move(cfg)}
    , ioc_{io_thread_count(config_.http)}
    , database_{config_.database}
    , reads_{ioc_.get_executor(), database_, config_.database,
             config_.database.pipeline_connections}
    , redis_{ioc_, config_.redis}
    , ops_{database_, reads_, redis_}
    , notifier_{current_environment()}
    , events_{database_, reads_, redis_, config_.events, config_.push}
    , presence_{ioc_, redis_, config_.presence}
    , event_hub_{ioc_, database_, presence_, config_.redis, config_.events}
    , push_{ioc_, database_, event_hub_, config_.push}
    , auth_{database_, redis_, config_.auth}
    , families_{database_, redis_, auth_, events_}
    , devices_{database_, config_.devices}
    , chat_writer_{ioc_, database_, events_, config_.chat}
    , chat_{database_, reads_, events_, chat_writer_}
    , gifts_{database_, reads_, events_}
    , boards_{database_, reads_, events_}
    , missions_{ioc_, database_, reads_, events_, config_.missions}
    , idea_model_{ioc_, config_.ideas, config_.missions.max_reward}
    , ideas_{database_, reads_, missions_, redis_, idea_model_, config_.ideas}
    , reservations_{database_, reads_, events_, config_.reservations}
    , calendar_{database_, reads_, events_}
    , client_errors_{database_, redis_, config_.diagnostics}
    , sockets_{ioc_,
               database_,
               presence_,
               config_.redis,
               redis_,
               config_.ws,
               [this](std::int64_t user, std::int64_t floor) {
                   auth_.revoked().note(user, floor, auth::revocation_source::elsewhere);
               }}
    , calls_{ioc_, database_, redis_, sockets_, events_, chat_writer_, presence_, config_.calls}
    , web_app_{load_web_app(config_.web)} {
    auth_.on_sign_in(&notify::device_service::signed_in);
    families_.on_time_zone_changed(&reservations::reservation_service::rezone);
    auth_.revoked().on_revoked(
        [this](std::int64_t user, std::int64_t floor, auth::revocation_source source) {
            end_sessions(user, floor, source);
        });
    build_routes();
    // Routes are complete: per-route metric slots can be laid out.
    http_metrics_ = std::make_unique<http::http_metrics>(router_);
    if (config_.log.access_log && spdlog::should_log(spdlog::level::info)) {
        access_log_ = std::make_unique<log::access_log>(stdout);
    }
    dispatcher_ =
        std::make_unique<http::dispatcher>(router_, *http_metrics_, request_ids_, access_log_.get(),
                                           proxies_of(config_.http), cors_of(config_.http));
    server_ = std::make_unique<http::server>(
        ioc_, config_, *dispatcher_, *http_metrics_,
        http::listen_plan{config_.http.address, config_.http.port, true, config_.http.reuse_port});
    if (config_.metrics.port != 0) {
        operator_ = std::make_unique<operator_listener>();
        ops::add_operator_routes(operator_->routes, ops_, metrics_);
        operator_->metrics = std::make_unique<http::http_metrics>(operator_->routes);
        operator_->dispatch = std::make_unique<http::dispatcher>(
            operator_->routes, *operator_->metrics, request_ids_, access_log_.get());
        operator_->server = std::make_unique<http::server>(
            ioc_, config_, *operator_->dispatch, *operator_->metrics,
            http::listen_plan{config_.metrics.address, config_.metrics.port, false,
                              config_.http.reuse_port});
    }

    metrics_.add([this](std::string& out) { http_metrics_->render(out); });
    metrics_.add([this](std::string& out) { database_.render_metrics(out); });
    metrics_.add([this](std::string& out) { reads_.render_metrics(out); });
    metrics_.add([](std::string& out) {
        ops::render_build_info(out);
        ops::render_process_metrics(out);
    });
    metrics_.add([this](std::string& out) {
        const std::array<cache::named_redis_stats, 2> connections{{
            {"commands", redis_.stats()},
            {"subscriber", event_hub_.subscriber_stats()},
        }};
        cache::render_redis_metrics(out, connections);
    });
    metrics_.add([this](std::string& out) { jobs_.render_metrics(out); });
    metrics_.add([this](std::string& out) { client_errors_.render_metrics(out); });
    metrics_.add([this](std::string& out) { devices_.render_metrics(out); });
    metrics_.add([this](std::string& out) { events_.render_metrics(out); });
    metrics_.add([this](std::string& out) { event_hub_.render_metrics(out); });
    metrics_.add([this](std::string& out) { presence_.render_metrics(out); });
    metrics_.add([this](std::string& out) { sockets_.render_metrics(out); });
    metrics_.add([this](std::string& out) { calls_.render_metrics(out); });
    metrics_.add([this](std::string& out) { push_.render_metrics(out); });
    metrics_.add([this](std::string& out) { chat_writer_.render_metrics(out); });
    metrics_.add([this](std::string& out) { missions_.render_metrics(out); });
    metrics_.add([this](std::string& out) { reservations_.render_metrics(out); });
    metrics_.add([this](std::string& out) { gifts_.render_metrics(out); });
    metrics_.add([this](std::string& out) { ideas_.render_metrics(out); });
    metrics_.add([this](std::string& out) { auth_.render_metrics(out); });
    events_.on_push_queued([this] { push_.nudge(); });
    metrics_.add([this](std::string& out) {
        append_metric_header(out, "poki_access_log_dropped_total", "counter",
                             "Access log lines dropped because stdout could not keep up.");
        append_metric(out, "poki_access_log_dropped_total", "",
                      access_log_ ? static_cast<double>(access_log_->dropped()) : 0.0);
    });
}

app::~app() {
    // Reverse order of use: no job may complete into a session after the server is gone.
    database_.stop();
    ioc_.discard_pending_handlers();
}

void app::build_routes() {
    ops::add_ops_routes(router_, ops_, metrics_, config_.metrics.port == 0);
    auth::add_auth_routes(router_, auth_);
    family::add_family_routes(router_, families_, auth_);
    notify::add_device_routes(router_, devices_, auth_);
    notify::add_event_routes(router_, events_, event_hub_, auth_);
    chat::add_chat_routes(router_, chat_, auth_, config_.chat);
    missions::add_mission_routes(router_, missions_, auth_, config_.missions);
    ideas::add_idea_routes(router_, ideas_, auth_);
    reservations::add_reservation_routes(router_, reservations_, auth_, config_.missions);
    calendar::add_calendar_routes(router_, calendar_, auth_);
    grapes::add_grape_routes(router_, boards_, auth_);
    gifts::add_gift_routes(router_, gifts_, auth_);
    diagnostics::add_client_error_routes(router_, client_errors_, auth_);
    calls::add_calls_routes(router_, auth_, calls_, config_.calls);
    calls::add_call_messages(sockets_, calls_);
    realtime::add_realtime_routes(router_, sockets_, presence_, database_, auth_);
    if (web_app_) {
        web::add_web_routes(router_, *web_app_);
    }
}

void app::end_sessions(std::int64_t user_id, std::int64_t generation_floor,
                       auth::revocation_source source) {
    // Every connection of the user closes, also one opened a moment ago with a newer token:
    // it reconnects at once, and the streams keep no generation to tell them apart.
    event_hub_.end_streams(user_id);
    sockets_.end_sessions(user_id);
    if (source == auth::revocation_source::here) {
        sockets_.announce_revocation(user_id, generation_floor);
    }
}

int app::run(std::function<config()> reread, take_over_plan take_over) {
    check_ready_to_serve(config_);
    std::optional<ops::predecessor> old;
    if (take_over.from) {
        if (!config_.http.reuse_port) {
            throw config_error{
                "config: taking over needs http.reuse_port on, here and in the "
                "running server"};
        }
        old.emplace(*take_over.from);
    }
    if (config_.database.migrate_on_start) {
        const auto report = migrate_database(config_.database);
        log::info("database schema ready", {{"schema_version", report.schema_version},
                                            {"applied_now", report.applied.size()}});
    }
    {
        // Before the first request: a member removed before this start stays out from it on.
        auto connection = connect_at_start(config_.database);
        auth_.revoked().load(connection);
    }
    server_->start();
    if (operator_) {
        operator_->server->start();
    }
    if (old) {
        // Until we are ready every new connection still goes to the old server.
        steer(http::steering::to_earlier);
    }
    redis_.start();
    event_hub_.start();
    presence_.start();
    sockets_.start();
    calls_.start(jobs_);
    push_.start(jobs_);
    net::co_spawn(ioc_, devices_.run_pruning(jobs_), net::detached);
    net::co_spawn(ioc_, events_.run_retention(jobs_), net::detached);
    net::co_spawn(ioc_, missions_.run_expiry(jobs_), net::detached);
    net::co_spawn(ioc_, reservations_.run_activation(jobs_), net::detached);
    net::co_spawn(ioc_, client_errors_.run_retention(jobs_), net::detached);
    net::co_spawn(ioc_, db::run_request_key_retention(database_, jobs_), net::detached);
    net::co_spawn(ioc_, auth_.revoked().run(milliseconds{config_.auth.revocation_poll_ms}, jobs_),
                  net::detached);

    net::signal_set signals{ioc_, SIGINT, SIGTERM};
    signals.async_wait([this](const boost::system::error_code& ec, int signal) {
        if (ec) {
            return;
        }
        log::info("shutting down", {{"signal", signal}});
        net::co_spawn(ioc_, shut_down(), net::detached);
    });
    net::signal_set hangups{ioc_, SIGHUP};
    const std::function<void(const boost::system::error_code&, int)> on_hangup =
        [&](const boost::system::error_code& ec, int) {
            if (ec) {
                return;
            }
            if (reread) {
                reload(reread);
            }
            hangups.async_wait(on_hangup);
        };
    hangups.async_wait(on_hangup);

    start_watchdog();
    notifier_.ready();
    if (old) {
        net::co_spawn(ioc_, complete_take_over(*old, take_over.ready_fd), net::detached);
    }

    const int threads = io_thread_count(config_.http);
    log::info("server started", {{"io_threads", threads}, {"db_pool", config_.database.pool_size}});
    std::vector<std::jthread> workers;
    workers.reserve(static_cast<std::size_t>(threads - 1));
    for (int i = 1; i < threads; ++i) {
        workers.emplace_back([this] { ioc_.run(); });
    }
    ioc_.run();
    workers.clear();
    if (access_log_) {
        access_log_->flush();  // requests first, then the line that says we stopped
    }
    log::info("server stopped");
    return 0;
}

std::vector<std::pair<std::string, std::string>> app::route_table() const {
    std::vector<std::pair<std::string, std::string>> table;
    for (const auto& r : router_.routes()) {
        const auto method = boost::beast::http::to_string(r->method);
        table.emplace_back(std::string{method.data(), method.size()}, r->path_template);
    }
    return table;
}

void app::start_watchdog() {
    const auto interval = notifier_.watchdog_interval();
    if (!interval) {
        return;
    }
    // On the io threads: a ping proves they still turn, which is what the manager wants to know.
    net::co_spawn(ioc_,
                  run_periodically(
                      "watchdog", *interval,
                      [this]() -> awaitable<void> {
                          notifier_.watchdog();
                          co_return;
                      },
                      jobs_),
                  net::detached);
}

void app::reload(const std::function<config()>& reread) {
    try {
        const auto fresh = reread();
        if (fresh.tls.enabled && config_.tls.enabled) {
            server_->reload_tls(fresh.tls.cert_file, fresh.tls.key_file);
        }
        // Said at the level in force before the change, so turning the level down shows too.
        log::info("configuration reloaded",
                  {{"log_level", fresh.log.level}, {"tls_reloaded", config_.tls.enabled}});
        log::set_level(fresh.log.level);
    } catch (const std::exception& e) {
        log::error("reload failed; the running configuration stays", {{"error", e.what()}});
    }
}

void app::steer(http::steering choice) {
    server_->steer(choice);
    if (operator_) {
        operator_->server->steer(choice);
    }
}

awaitable<void> app::complete_take_over(ops::predecessor old, std::optional<int> ready_fd) {
    try {
        steer(http::steering::to_later);
    } catch (const std::exception& e) {
        // The old server still goes: connections it gets while closing may be reset.
        log::error("cannot steer new connections here", {{"error", e.what()}});
    }
    old.ask_to_leave();
    if (ready_fd) {
        const char serving = '1';
        if (::write(*ready_fd, &serving, 1) != 1) {
            log::warn("handover: the command that started us is gone");
        }
        ::close(*ready_fd);
    }
    log::info("taking over: the old server drains", {{"old_pid", old.pid()}});
    net::steady_timer tick{co_await net::this_coro::executor};
    while (!old.gone()) {
        tick.expires_after(std::chrono::milliseconds{100});
        co_await tick.async_wait(net::use_awaitable);
    }
    try {
        steer(http::steering::by_hash);
    } catch (const std::exception& e) {
        log::warn("cannot stop steering connections", {{"error", e.what()}});
    }
    log::info("took over", {{"old_pid", old.pid()}});
}

awaitable<void> app::shut_down() {
    ops_.begin_drain();
    notifier_.stopping();
    server_->wind_down();
    if (config_.http.unready_delay.count() > 0) {
        // Load balancers see /readyz fail and stop sending while the listeners still accept.
        net::steady_timer unready{ioc_, config_.http.unready_delay};
        co_await unready.async_wait(net::use_awaitable);
    }
    server_->stop_accepting();
    if (operator_) {
        operator_->server->stop_accepting();
    }
    co_await server_->drain(config_.http.drain_timeout);
    if (operator_) {
        co_await operator_->server->drain(milliseconds{1000});
    }
    co_await ideas_.finish_background(std::chrono::milliseconds{2000});
    event_hub_.stop();
    sockets_.stop();
    reads_.stop();
    redis_.stop();
    // Let the Redis strand close its connection before the loop ends.
    net::steady_timer settle{ioc_, std::chrono::milliseconds{20}};
    co_await settle.async_wait(net::use_awaitable);
    ioc_.stop();
}

}  // namespace poki
