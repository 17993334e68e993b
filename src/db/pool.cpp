#include "poki/db/pool.hpp"

#include "poki/core/log.hpp"
#include "poki/core/metrics.hpp"

namespace poki::db {
namespace detail {

std::exception_ptr unavailable(std::string_view detail) {
    return std::make_exception_ptr(error{errc::unavailable, std::string{detail}});
}

std::exception_ptr outcome_unknown() {
    return std::make_exception_ptr(
        error{errc::unavailable, "outcome_unknown",
              "The database went away while the change was being committed, so it may or may "
              "not have been made. Send it again with the same Idempotency-Key or client_id: "
              "it is made once."});
}

namespace {

/// The server's first line; for data errors (class 22), only what comes before the value it
/// quotes ("malformed array literal: \"{...}\"" keeps "malformed array literal").
std::string loggable_message(const pqxx::sql_error& e) {
    std::string_view text{e.what()};
    text = text.substr(0, text.find('\n'));
    if (text.starts_with("ERROR:  ")) {
        text.remove_prefix(8);
    }
    if (e.sqlstate().starts_with("22")) {
        text = text.substr(0, text.find(':'));
    }
    return std::string{text};
}

}  // namespace

query_failed::query_failed(const pqxx::sql_error& e)
    : std::runtime_error{"SQLSTATE " + (e.sqlstate().empty() ? "?" : e.sqlstate()) + ": " +
                         loggable_message(e)}
    , sqlstate_{e.sqlstate()} {}

}  // namespace detail

namespace {

std::string with_options(const database_config& cfg) {
    const auto seconds = std::max<std::int64_t>(
        1, std::chrono::duration_cast<std::chrono::seconds>(cfg.connect_timeout).count());
    const std::string timeout = "connect_timeout=" + std::to_string(seconds);
    const std::string name = "application_name=poki";
    const auto& url = cfg.url;
    if (url.starts_with("postgres://") || url.starts_with("postgresql://")) {
        const char sep = url.find('?') == std::string::npos ? '?' : '&';
        return url + sep + timeout + "&" + name;
    }
    return url + " " + timeout + " " + name;
}

double seconds_between(std::chrono::steady_clock::time_point from,
                       std::chrono::steady_clock::time_point to) {
    return std::chrono::duration<double>(to - from).count();
}

}  // namespace

pool::pool(const database_config& cfg) : config_{cfg}, connection_string_{with_options(cfg)} {
    // Timestamps are read in the shape ISO prints them (db/utc_time.hpp), whatever the
    // server's postgresql.conf says.
    declare_setting("DateStyle", "ISO");
    workers_.reserve(static_cast<std::size_t>(cfg.pool_size));
    running_.resize(static_cast<std::size_t>(cfg.pool_size));
    for (std::size_t i = 0; i < running_.size(); ++i) {
        workers_.emplace_back([this, i](const std::stop_token& stop) { worker_loop(i, stop); });
    }
    reaper_ = std::jthread{[this](const std::stop_token& stop) { reaper_loop(stop); }};
}

pool::~pool() {
    stop();
}

void pool::stop() {
    reaper_.request_stop();
    for (auto& w : workers_) {
        w.request_stop();
    }
    ready_.notify_all();
    workers_.clear();  // joins
    if (reaper_.joinable()) {
        reaper_.join();
    }
    std::deque<std::shared_ptr<detail::job>> dropped;
    {
        const std::lock_guard lock{mutex_};
        dropped.swap(queue_);
    }
}

void pool::declare(std::string name, std::string sql) {
    const std::lock_guard lock{mutex_};
    for (const auto& existing : statements_) {
        if (!existing.setting && existing.name == name) {
            if (existing.sql != sql) {
                throw std::invalid_argument{"prepared statement " + name + " declared twice"};
            }
            return;
        }
    }
    statements_.push_back(declared_statement{std::move(name), std::move(sql)});
    statement_count_.store(statements_.size(), std::memory_order_release);
}

void pool::declare_setting(std::string name, std::string value) {
    const std::lock_guard lock{mutex_};
    for (const auto& existing : statements_) {
        if (existing.setting && existing.name == name) {
            if (existing.sql != value) {
                throw std::invalid_argument{"setting " + name + " declared twice"};
            }
            return;
        }
    }
    statements_.push_back(declared_statement{std::move(name), std::move(value), true});
    statement_count_.store(statements_.size(), std::memory_order_release);
}

std::vector<declared_statement> pool::statements_from(std::size_t first) const {
    const std::lock_guard lock{mutex_};
    if (first >= statements_.size()) {
        return {};
    }
    return {statements_.begin() + static_cast<std::ptrdiff_t>(first), statements_.end()};
}

void pool::prepare_new_statements(pqxx::connection& c, std::size_t& prepared) {
    if (prepared == statement_count_.load(std::memory_order_acquire)) {
        return;
    }
    const auto fresh = statements_from(prepared);
    for (const auto& s : fresh) {
        if (s.setting) {
            pqxx::nontransaction tx{c};
            tx.exec_params("SELECT set_config($1, $2, false)", s.name, s.sql);
        } else {
            c.prepare(s.name, s.sql);  // libpqxx prepares on the server at first use
        }
    }
    prepared += fresh.size();
}

void pool::submit(std::shared_ptr<detail::job> j) {
    {
        const std::lock_guard lock{mutex_};
        queue_.push_back(std::move(j));
    }
    ready_.notify_one();
}

void pool::open_connection(std::unique_ptr<pqxx::connection>& connection, std::size_t& prepared) {
    prepared = 0;
    connection = std::make_unique<pqxx::connection>(connection_string_);
    if (config_.statement_timeout.count() > 0) {
        pqxx::nontransaction tx{*connection};
        tx.exec("SET statement_timeout = " + std::to_string(config_.statement_timeout.count()));
    }
}

void pool::worker_loop(std::size_t worker, const std::stop_token& stop) {
    std::unique_ptr<pqxx::connection> connection;
    std::size_t prepared = 0;
    while (!stop.stop_requested()) {
        std::shared_ptr<detail::job> j;
        {
            std::unique_lock lock{mutex_};
            if (!ready_.wait(lock, stop, [&] { return !queue_.empty(); })) {
                break;
            }
            j = std::move(queue_.front());
            queue_.pop_front();
            running_[worker] = j;  // the reaper answers it if the server never does
        }
        const auto started = std::chrono::steady_clock::now();
        queue_wait_seconds_.observe(seconds_between(j->queued_at(), started));
        if (started > j->start_by()) {
            acquire_timeouts_.fetch_add(1, std::memory_order_relaxed);
            j->fail(detail::unavailable("The database is busy; try again shortly."));
        } else {
            in_use_.fetch_add(1, std::memory_order_relaxed);
            run_job(j, connection, prepared);
            in_use_.fetch_sub(1, std::memory_order_relaxed);
            job_seconds_.observe(seconds_between(started, std::chrono::steady_clock::now()));
        }
        const std::lock_guard lock{mutex_};
        running_[worker].reset();
    }
}

void pool::run_job(const std::shared_ptr<detail::job>& j,
                   std::unique_ptr<pqxx::connection>& connection, std::size_t& prepared) {
    for (int attempt = 0; attempt < 2; ++attempt) {
        const bool last = attempt == 1;
        if (!connection || !connection->is_open()) {
            try {
                if (connection) {
                    reconnects_.fetch_add(1, std::memory_order_relaxed);
                }
                open_connection(connection, prepared);
            } catch (const std::exception& e) {
                connection.reset();
                log::warn("database connect failed", {{"error", e.what()}});
                j->fail(detail::unavailable("The database is unavailable."));
                return;
            }
        }
        try {
            prepare_new_statements(*connection, prepared);
        } catch (const std::exception& e) {
            connection.reset();
            log::warn("database prepare failed", {{"error", e.what()}});
            j->fail(detail::unavailable("The database is unavailable."));
            return;
        }
        if (j->execute(*connection, last) == detail::job::verdict::done) {
            return;
        }
        // The server went away (restart, failover): drop the connection and try once more.
        connection.reset();
        reconnects_.fetch_add(1, std::memory_order_relaxed);
    }
}

void pool::reaper_loop(const std::stop_token& stop) {
    const auto interval =
        std::clamp(config_.acquire_timeout / 4, milliseconds{5}, milliseconds{50});
    std::mutex sleep_mutex;
    std::condition_variable_any sleep;
    while (!stop.stop_requested()) {
        {
            std::unique_lock lock{sleep_mutex};
            sleep.wait_for(lock, stop, interval, [] { return false; });
        }
        reap(std::chrono::steady_clock::now());
    }
}

void pool::reap(std::chrono::steady_clock::time_point now) {
    std::vector<std::shared_ptr<detail::job>> unstarted;
    std::vector<std::shared_ptr<detail::job>> hung;
    {
        const std::lock_guard lock{mutex_};
        // Deadlines differ (health checks bring their own), so look at every waiting job.
        for (auto it = queue_.begin(); it != queue_.end();) {
            if ((*it)->start_by() < now) {
                unstarted.push_back(std::move(*it));
                it = queue_.erase(it);
            } else {
                ++it;
            }
        }
        for (const auto& j : running_) {
            if (j && j->answer_by() < now) {
                hung.push_back(j);
            }
        }
    }
    for (const auto& j : unstarted) {
        acquire_timeouts_.fetch_add(1, std::memory_order_relaxed);
        j->fail(detail::unavailable("The database is busy; try again shortly."));
    }
    for (const auto& j : hung) {
        // The worker stays blocked until the server answers or the connection dies; its
        // result is then dropped. The caller hears now.
        if (j->fail(detail::unavailable("The database did not answer in time."))) {
            answer_timeouts_.fetch_add(1, std::memory_order_relaxed);
        }
    }
}

pool_stats pool::stats() const {
    pool_stats s;
    s.size = static_cast<std::size_t>(config_.pool_size);
    s.in_use = in_use_.load(std::memory_order_relaxed);
    {
        const std::lock_guard lock{mutex_};
        s.waiting = queue_.size();
    }
    s.acquire_timeouts = acquire_timeouts_.load(std::memory_order_relaxed);
    s.answer_timeouts = answer_timeouts_.load(std::memory_order_relaxed);
    s.reconnects = reconnects_.load(std::memory_order_relaxed);
    return s;
}

void pool::render_metrics(std::string& out) const {
    const auto s = stats();
    append_metric_header(out, "poki_db_pool_size", "gauge", "PostgreSQL connections in the pool.");
    append_metric(out, "poki_db_pool_size", "", static_cast<double>(s.size));
    append_metric_header(out, "poki_db_pool_in_use", "gauge", "Pool connections running a query.");
    append_metric(out, "poki_db_pool_in_use", "", static_cast<double>(s.in_use));
    append_metric_header(out, "poki_db_pool_waiting", "gauge", "Queries waiting for a connection.");
    append_metric(out, "poki_db_pool_waiting", "", static_cast<double>(s.waiting));
    append_metric_header(out, "poki_db_pool_acquire_timeouts_total", "counter",
                         "Queries refused because no connection freed up in time.");
    append_metric(out, "poki_db_pool_acquire_timeouts_total", "",
                  static_cast<double>(s.acquire_timeouts));
    append_metric_header(out, "poki_db_answer_timeouts_total", "counter",
                         "Queries answered 503 because the server did not answer in time.");
    append_metric(out, "poki_db_answer_timeouts_total", "", static_cast<double>(s.answer_timeouts));
    append_metric_header(out, "poki_db_reconnects_total", "counter",
                         "Connections re-opened after the server went away.");
    append_metric(out, "poki_db_reconnects_total", "", static_cast<double>(s.reconnects));
    append_metric_header(out, "poki_db_queue_wait_seconds", "histogram",
                         "Time from a query's call until a pool connection takes it.");
    queue_wait_seconds_.render(out, "poki_db_queue_wait_seconds", "");
    append_metric_header(out, "poki_db_query_seconds", "histogram",
                         "Time a pool connection spends on one call (its statements, reconnects "
                         "and commit).");
    job_seconds_.render(out, "poki_db_query_seconds", "");
}

}  // namespace poki::db
