#include "poki/db/read_pipeline.hpp"

#include <charconv>
#include <chrono>
#include <deque>
#include <iterator>
#include <libpq-fe.h>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include "poki/core/error.hpp"
#include "poki/core/log.hpp"
#include "poki/core/metrics.hpp"
#include "poki/core/unique_function.hpp"
#include "poki/db/pool.hpp"

namespace poki::db {

void read_result::clear::operator()(pg_result* r) const noexcept {
    PQclear(r);
}

int read_result::rows() const noexcept {
    return result_ ? PQntuples(result_.get()) : 0;
}

bool read_result::is_null(int row, int column) const noexcept {
    return PQgetisnull(result_.get(), row, column) != 0;
}

std::string_view read_result::text(int row, int column) const noexcept {
    return {PQgetvalue(result_.get(), row, column),
            static_cast<std::size_t>(PQgetlength(result_.get(), row, column))};
}

namespace {

template <class Int>
Int parse_int(std::string_view text) {
    Int value{};
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || end != text.data() + text.size()) {
        throw std::runtime_error{"a column is not the integer its statement promises"};
    }
    return value;
}

}  // namespace

std::int64_t parse_int64(std::string_view text) {
    return parse_int<std::int64_t>(text);
}

int parse_int32(std::string_view text) {
    return parse_int<int>(text);
}

bool read_field::is_null() const noexcept {
    return result_->is_null(row_, column_);
}

std::string_view read_field::view() const noexcept {
    return result_->text(row_, column_);
}

namespace {

using clock = std::chrono::steady_clock;
using completion = unique_function<void(std::exception_ptr, read_result)>;

/// Reads queued toward one connection, sent or not: past this a read is refused with 503
/// rather than queued without bound behind a slow database.
constexpr std::size_t max_outstanding = 1024;

struct conn_closer {
    void operator()(PGconn* c) const noexcept { PQfinish(c); }
};
using conn_ptr = std::unique_ptr<PGconn, conn_closer>;

/// What a pool thread hands back after connecting: default-constructible, as pool jobs are.
struct opened {
    std::shared_ptr<PGconn> handle;
    std::string failure;
};

std::exception_ptr failed_statement(const PGresult* r) {
    const char* state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
    const char* message = PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY);
    const pqxx::sql_error e{message != nullptr ? message : "statement failed", "",
                            state != nullptr ? state : ""};
    return std::make_exception_ptr(detail::query_failed{e});
}

}  // namespace

class read_pipeline::connection : public std::enable_shared_from_this<connection> {
  public:
    connection(const net::any_io_executor& io, pool& statements, database_config cfg)
        : strand_{net::make_strand(io)}
        , statements_{statements}
        , config_{std::move(cfg)}
        , timer_{strand_} {}

    ~connection() {
        if (socket_) {
            (void)socket_->release();  // the descriptor is libpq's to close
        }
    }
    connection(const connection&) = delete;
    connection& operator=(const connection&) = delete;

    /// Any thread.
    void submit(std::string statement, read_params params, completion done) {
        net::post(strand_, [self = shared_from_this(), statement = std::move(statement),
                            params = std::move(params), done = std::move(done)]() mutable {
            self->accept(request{std::move(statement), std::move(params), std::move(done),
                                 clock::now() + self->config_.query_timeout, false});
        });
    }

    void stop() {
        net::post(strand_, [self = shared_from_this()] {
            self->stopped_ = true;
            self->close(detail::unavailable("The server is stopping."));
        });
    }

    [[nodiscard]] std::uint64_t queries() const noexcept {
        return queries_.load(std::memory_order_relaxed);
    }
    [[nodiscard]] std::uint64_t breaks() const noexcept {
        return breaks_.load(std::memory_order_relaxed);
    }

  private:
    struct request {
        std::string statement;
        read_params params;
        completion done;  ///< empty for the pipeline's own setup statements
        clock::time_point deadline;
        bool retried = false;
    };
    /// A statement sent and not yet answered.
    struct sent {
        request asked;
        read_result result;
        std::exception_ptr failure;
        bool answered = false;
    };
    enum class state { closed, opening, open };

    void accept(request r) {
        if (stopped_ || waiting_.size() + in_flight_.size() >= max_outstanding) {
            r.done(detail::unavailable("The database is busy; try again shortly."), {});
            return;
        }
        if (state_ != state::open) {
            waiting_.push_back(std::move(r));
            open();
            return;
        }
        send(std::move(r));
    }

    void open() {
        if (state_ != state::closed) {
            return;
        }
        state_ = state::opening;
        net::co_spawn(strand_, opening(), net::detached);
    }

    awaitable<void> opening() {
        auto self = shared_from_this();
        const auto info = statements_.connection_string();
        auto connect = [info](pqxx::connection&) {
            opened out;
            conn_ptr c{PQconnectdb(info.c_str())};
            if (PQstatus(c.get()) != CONNECTION_OK) {
                out.failure = PQerrorMessage(c.get());
                return out;
            }
            if (PQsetnonblocking(c.get(), 1) != 0 || PQenterPipelineMode(c.get()) != 1) {
                out.failure = PQerrorMessage(c.get());
                return out;
            }
            out.handle = std::shared_ptr<PGconn>{c.release(), conn_closer{}};
            return out;
        };
        opened result;
        try {
            result = co_await statements_.run(std::move(connect));
        } catch (const std::exception& e) {
            result.failure = e.what();
        }
        if (stopped_ || !result.handle) {
            state_ = state::closed;
            if (!stopped_) {
                log::warn("database pipeline connect failed", {{"error", result.failure}});
            }
            fail_waiting(detail::unavailable("The database is unavailable."));
            co_return;
        }
        conn_ = std::move(result.handle);
        socket_.emplace(strand_, PQsocket(conn_.get()));
        state_ = state::open;
        prepared_ = 0;
        ++generation_;
        if (config_.statement_timeout.count() > 0) {
            setup("SET statement_timeout = " + std::to_string(config_.statement_timeout.count()));
        }
        while (!waiting_.empty() && state_ == state::open) {
            auto r = std::move(waiting_.front());
            waiting_.pop_front();
            send(std::move(r));
        }
    }

    /// Statements and settings declared since this connection last looked, sent ahead of
    /// the statement that may need them.
    void prepare_declared() {
        if (prepared_ == statements_.statement_count()) {
            return;
        }
        for (const auto& s : statements_.statements_from(prepared_)) {
            if (s.setting) {
                const std::array<const char*, 2> values{s.name.c_str(), s.sql.c_str()};
                pipe(PQsendQueryParams(conn_.get(), "SELECT set_config($1, $2, false)", 2, nullptr,
                                       values.data(), nullptr, nullptr, 0));
            } else {
                pipe(PQsendPrepare(conn_.get(), s.name.c_str(), s.sql.c_str(), 0, nullptr));
            }
            ++prepared_;
        }
    }

    void setup(const std::string& sql) {
        pipe(PQsendQueryParams(conn_.get(), sql.c_str(), 0, nullptr, nullptr, nullptr, nullptr, 0));
    }

    /// A setup statement: its answer goes nowhere.
    void pipe(int queued) {
        pipe(queued, request{{}, {}, {}, clock::now() + config_.query_timeout, true});
    }

    /// Ends what was just queued with a sync of its own, so one failed statement aborts no
    /// other.
    void pipe(int queued, request asked) {
        if (queued != 1 || PQpipelineSync(conn_.get()) != 1) {
            broken();
            again(std::move(asked));
            return;
        }
        in_flight_.push_back(sent{std::move(asked), {}, nullptr, false});
        schedule_flush();
        watch_deadline();
    }

    void send(request r) {
        prepare_declared();
        if (state_ != state::open) {
            again(std::move(r));
            return;
        }
        std::vector<const char*> values;
        values.reserve(r.params.size());
        for (const auto& p : r.params) {
            values.push_back(p ? p->c_str() : nullptr);
        }
        queries_.fetch_add(1, std::memory_order_relaxed);
        const int queued =
            PQsendQueryPrepared(conn_.get(), r.statement.c_str(), static_cast<int>(values.size()),
                                values.data(), nullptr, nullptr, 0);
        pipe(queued, std::move(r));
    }

    /// Statements queued in one turn of the strand leave in one write.
    void schedule_flush() {
        if (flush_scheduled_) {
            return;
        }
        flush_scheduled_ = true;
        net::post(strand_, [self = shared_from_this(), g = generation_] {
            self->flush_scheduled_ = false;
            if (g == self->generation_) {
                self->flush();
            }
        });
    }

    void flush() {
        const int left = PQflush(conn_.get());
        if (left < 0) {
            broken();
            return;
        }
        if (left == 1 && !writing_) {
            await_socket(net::posix::stream_descriptor::wait_write, writing_, &connection::flush);
        }
        read_more();
    }

    void read_more() {
        if (reading_ || in_flight_.empty()) {
            return;
        }
        await_socket(net::posix::stream_descriptor::wait_read, reading_, &connection::on_readable);
    }

    /// One wait on the socket; `then` runs unless the connection was replaced meanwhile.
    void await_socket(net::posix::stream_descriptor::wait_type type, bool& waiting,
                      void (connection::*then)()) {
        waiting = true;
        socket_->async_wait(type, [self = shared_from_this(), g = generation_, &waiting,
                                   then](const boost::system::error_code& ec) {
            waiting = false;
            if (!ec && g == self->generation_) {
                ((*self).*then)();
            }
        });
    }

    void on_readable() {
        if (PQconsumeInput(conn_.get()) != 1) {
            broken();
            return;
        }
        while (!in_flight_.empty() && PQisBusy(conn_.get()) == 0) {
            PGresult* r = PQgetResult(conn_.get());
            if (r == nullptr) {
                if (!in_flight_.front().answered) {
                    break;  // nothing more has arrived
                }
                continue;  // the end of a statement's results; its sync follows
            }
            take(r);
        }
        if (state_ == state::open) {
            read_more();
        }
    }

    /// One result in answer order; a statement's own result, then its sync's.
    void take(PGresult* raw) {
        const auto status = PQresultStatus(raw);
        read_result r{raw};
        auto& front = in_flight_.front();
        switch (status) {
            case PGRES_PIPELINE_SYNC: {
                auto answered = std::move(front);
                in_flight_.pop_front();
                if (answered.asked.done) {
                    answered.asked.done(answered.failure, std::move(answered.result));
                } else if (answered.failure) {
                    log::warn("database pipeline setup failed", {});
                }
                return;
            }
            case PGRES_TUPLES_OK:
            case PGRES_COMMAND_OK:
                front.answered = true;
                front.result = std::move(r);
                return;
            default:
                front.answered = true;
                front.failure = failed_statement(raw);
                return;
        }
    }

    void watch_deadline() {
        if (timing_ || in_flight_.empty()) {
            return;
        }
        timing_ = true;
        timer_.expires_at(in_flight_.front().asked.deadline);
        timer_.async_wait([self = shared_from_this()](auto) {
            self->timing_ = false;
            if (!self->in_flight_.empty() &&
                self->in_flight_.front().asked.deadline <= clock::now()) {
                log::warn("database pipeline answer timed out", {});
                self->broken();
            }
            self->watch_deadline();
        });
    }

    /// A lost connection (a restart, a failover) costs a read nothing: what was in flight is
    /// sent once more on a fresh connection, since a read has no effect to repeat. What has
    /// had its second chance, or is out of time, gets 503.
    void broken() {
        breaks_.fetch_add(1, std::memory_order_relaxed);
        auto in_flight = std::move(in_flight_);
        in_flight_.clear();
        const auto why = detail::unavailable("The database is unavailable.");
        const auto now = clock::now();
        std::deque<request> resend;
        for (auto& gone : in_flight) {
            auto& asked = gone.asked;
            if (!asked.done) {
                continue;  // a fresh connection sets itself up
            }
            if (asked.retried || asked.deadline <= now || stopped_) {
                asked.done(why, {});
            } else {
                asked.retried = true;
                resend.push_back(std::move(asked));
            }
        }
        // Ahead of what was still waiting, in the order they were first sent.
        waiting_.insert(waiting_.begin(), std::make_move_iterator(resend.begin()),
                        std::make_move_iterator(resend.end()));
        disconnect();
        if (!waiting_.empty()) {
            open();
        }
    }

    /// A read that could not be sent: once more when the fresh connection opens, or 503.
    void again(request asked) {
        if (!asked.done) {
            return;
        }
        if (asked.retried || stopped_) {
            asked.done(detail::unavailable("The database is unavailable."), {});
            return;
        }
        asked.retried = true;
        waiting_.push_back(std::move(asked));
        open();
    }

    /// Fails everything outstanding.
    void close(const std::exception_ptr& why) {
        disconnect();
        timer_.cancel();
        auto in_flight = std::move(in_flight_);
        in_flight_.clear();
        for (auto& s : in_flight) {
            if (s.asked.done) {
                s.asked.done(why, {});
            }
        }
        fail_waiting(why);
    }

    void disconnect() {
        ++generation_;
        if (socket_) {
            boost::system::error_code ignored;
            socket_->cancel(ignored);
            (void)socket_->release();  // the descriptor is libpq's to close
            socket_.reset();
        }
        conn_.reset();
        if (state_ == state::open) {
            state_ = state::closed;
        }
    }

    void fail_waiting(const std::exception_ptr& why) {
        auto waiting = std::move(waiting_);
        waiting_.clear();
        for (auto& r : waiting) {
            if (r.done) {
                r.done(why, {});
            }
        }
    }

    net::strand<net::any_io_executor> strand_;
    pool& statements_;
    database_config config_;
    net::steady_timer timer_;
    std::shared_ptr<PGconn> conn_;
    std::optional<net::posix::stream_descriptor> socket_;
    std::deque<request> waiting_;  ///< until the connection is open
    std::deque<sent> in_flight_;   ///< in the order PostgreSQL answers
    state state_ = state::closed;
    std::size_t prepared_ = 0;
    std::uint64_t generation_ = 0;  ///< bumped per connection: stale callbacks do nothing
    bool flush_scheduled_ = false;
    bool writing_ = false;
    bool reading_ = false;
    bool timing_ = false;
    bool stopped_ = false;
    std::atomic<std::uint64_t> queries_{0};
    std::atomic<std::uint64_t> breaks_{0};
};

read_pipeline::read_pipeline(const net::any_io_executor& io, pool& statements,
                             const database_config& cfg, int connections) {
    const auto count = static_cast<std::size_t>(std::max(connections, 1));
    connections_.reserve(count);
    for (std::size_t i = 0; i < count; ++i) {
        connections_.push_back(std::make_shared<connection>(io, statements, cfg));
    }
}

read_pipeline::~read_pipeline() {
    stop();
}

void read_pipeline::stop() {
    for (const auto& c : connections_) {
        c->stop();
    }
}

awaitable<read_result> read_pipeline::query(std::string_view statement, read_params params) {
    auto& target =
        *connections_[next_.fetch_add(1, std::memory_order_relaxed) % connections_.size()];
    auto initiate = [&target](auto handler, std::string&& name, read_params&& values) {
        auto work = net::make_work_guard(net::get_associated_executor(handler));
        target.submit(std::move(name), std::move(values),
                      [handler = std::move(handler), work = std::move(work)](
                          std::exception_ptr failure, read_result result) mutable {
                          auto to = work.get_executor();
                          net::post(to, [handler = std::move(handler), failure,
                                         result = std::move(result)]() mutable {
                              std::move(handler)(failure, std::move(result));
                          });
                      });
    };
    co_return co_await net::async_initiate<const net::use_awaitable_t<>&,
                                           void(std::exception_ptr, read_result)>(
        initiate, net::use_awaitable, std::string{statement}, std::move(params));
}

void read_pipeline::render_metrics(std::string& out) const {
    std::uint64_t queries = 0;
    std::uint64_t breaks = 0;
    for (const auto& c : connections_) {
        queries += c->queries();
        breaks += c->breaks();
    }
    append_metric_header(out, "poki_db_pipeline_queries_total", "counter",
                         "Reads sent from the io threads in pipeline mode.");
    append_metric(out, "poki_db_pipeline_queries_total", "", static_cast<double>(queries));
    append_metric_header(out, "poki_db_pipeline_breaks_total", "counter",
                         "Pipeline connections lost, or dropped for an answer past its timeout.");
    append_metric(out, "poki_db_pipeline_breaks_total", "", static_cast<double>(breaks));
}

}  // namespace poki::db
