// PostgreSQL access for coroutines: libpqxx blocks, so every query runs on the pool's own
// threads, one connection per thread, and the calling coroutine awaits the outcome.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <exception>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <type_traits>
#include <variant>
#include <vector>

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <pqxx/pqxx>

#include "poki/core/config.hpp"
#include "poki/core/error.hpp"
#include "poki/core/metrics.hpp"
#include "poki/core/net.hpp"

namespace poki::db {

namespace detail {

/// The value type a job hands back: R itself, or an empty tag for void.
template <class R>
using value_of = std::conditional_t<std::is_void_v<R>, std::monostate, R>;

/// The completion signature the awaiting coroutine sees: exceptions rethrow at co_await.
template <class R>
struct signature {
    using type = void(std::exception_ptr, R);
};
template <>
struct signature<void> {
    using type = void(std::exception_ptr);
};
template <class R>
using signature_of = typename signature<R>::type;

/// A unit of work waiting for a connection. It is answered exactly once: by the worker that
/// ran it, or by the reaper once a deadline passed (the worker's late result is dropped).
class job {
  public:
    enum class verdict { done, retry };

    /// `start_by`: the latest moment a worker may still start it; `answer_by`: when the caller
    /// gets 503 whether or not the database ever answers (a frozen server blocks a worker).
    job(std::chrono::steady_clock::time_point start_by,
        std::chrono::steady_clock::time_point answer_by)
        : start_by_{start_by}, answer_by_{answer_by} {}
    virtual ~job() = default;
    job(const job&) = delete;
    job& operator=(const job&) = delete;

    /// Runs on a pool thread. `retry` when the connection broke before any commit.
    virtual verdict execute(pqxx::connection& connection, bool last_attempt) = 0;
    /// Answers with an exception instead of a result, unless it was answered already;
    /// true when this call answered.
    virtual bool fail(std::exception_ptr why) = 0;

    [[nodiscard]] std::chrono::steady_clock::time_point start_by() const noexcept {
        return start_by_;
    }
    [[nodiscard]] std::chrono::steady_clock::time_point answer_by() const noexcept {
        return answer_by_;
    }
    [[nodiscard]] std::chrono::steady_clock::time_point queued_at() const noexcept {
        return queued_at_;
    }

  protected:
    /// True for the one caller that may answer.
    bool claim_answer() noexcept { return !answered_.exchange(true, std::memory_order_acq_rel); }

  private:
    std::chrono::steady_clock::time_point start_by_;
    std::chrono::steady_clock::time_point answer_by_;
    std::chrono::steady_clock::time_point queued_at_ = std::chrono::steady_clock::now();
    std::atomic<bool> answered_{false};
};

/// What escapes a job when PostgreSQL refused a statement: the SQLSTATE and the server's
/// message without the values it may quote (a data error echoes the rejected input, which can
/// be a family's chat text), so it is safe to log.
class query_failed : public std::runtime_error {
  public:
    query_failed(const pqxx::sql_error& e);
    [[nodiscard]] const std::string& sqlstate() const noexcept { return sqlstate_; }

  private:
    std::string sqlstate_;
};

[[nodiscard]] std::exception_ptr unavailable(std::string_view detail);
/// 503 `outcome_unknown`: the database went away while committing.
[[nodiscard]] std::exception_ptr outcome_unknown();

}  // namespace detail

/// A prepared statement (or, with `setting`, a session setting and its value) every
/// connection gets before its next job.
struct declared_statement {
    std::string name;
    std::string sql;  ///< or, for a setting, its value
    bool setting = false;
};

struct pool_stats {
    std::size_t size = 0;
    std::size_t in_use = 0;
    std::size_t waiting = 0;
    std::uint64_t acquire_timeouts = 0;
    std::uint64_t answer_timeouts = 0;
    std::uint64_t reconnects = 0;
};

class pool {
  public:
    explicit pool(const database_config& cfg);
    ~pool();
    pool(const pool&) = delete;
    pool& operator=(const pool&) = delete;

    /// Runs fn(pqxx::connection&) on a pool thread and returns its result to the coroutine.
    /// A broken connection is re-opened and fn retried once; if that fails too, if no
    /// connection frees up within acquire_timeout, or if there is no answer within
    /// query_timeout of the call (a hung server), the coroutine gets errc::unavailable. A
    /// connection lost during COMMIT is never retried (the change may have been made): it is
    /// errc::unavailable with reason `outcome_unknown`, for the client to retry with its key.
    ///
    /// The result type must be default-constructible or void.
    template <class F>
    awaitable<std::invoke_result_t<F&, pqxx::connection&>> run(F fn);

    /// The same with a tighter bound of its own for both waits (health checks).
    template <class F>
    awaitable<std::invoke_result_t<F&, pqxx::connection&>> run_within(milliseconds bound, F fn);

    /// Runs fn(pqxx::work&) in a transaction that commits when fn returns.
    template <class F>
    awaitable<std::invoke_result_t<F&, pqxx::work&>> transaction(F fn);

    /// Declares a named prepared statement; every connection prepares it before its next job,
    /// so repositories run `tx.exec_prepared(name, …)` without parsing and planning each time.
    /// Thread-safe; re-declaring a name with other SQL throws std::invalid_argument.
    void declare(std::string name, std::string sql);

    /// A session setting every connection gets once, when it is made (or before its next job
    /// if declared later), so no request pays a SET for it.
    void declare_setting(std::string name, std::string value);

    /// How many statements and settings have been declared; those from `first` on, in the
    /// order declared (for connections the pool does not drive itself).
    [[nodiscard]] std::size_t statement_count() const noexcept {
        return statement_count_.load(std::memory_order_acquire);
    }
    [[nodiscard]] std::vector<declared_statement> statements_from(std::size_t first) const;

    /// Joins the pool's threads; queued jobs are dropped without running (their awaiting
    /// coroutines are destroyed with the io_context). Idempotent; the destructor calls it.
    void stop();

    [[nodiscard]] pool_stats stats() const;
    void render_metrics(std::string& out) const;

    /// Connection string with the pool's connect timeout and application name applied.
    [[nodiscard]] const std::string& connection_string() const noexcept {
        return connection_string_;
    }

  private:
    template <class R, class F, class Handler>
    class typed_job;

    void submit(std::shared_ptr<detail::job> j);
    void run_job(const std::shared_ptr<detail::job>& j,
                 std::unique_ptr<pqxx::connection>& connection, std::size_t& prepared);
    void open_connection(std::unique_ptr<pqxx::connection>& connection, std::size_t& prepared);
    void prepare_new_statements(pqxx::connection& c, std::size_t& prepared);
    void worker_loop(std::size_t worker, const std::stop_token& stop);
    /// Answers 503 to queued jobs past their start deadline and to running jobs past their
    /// answer deadline: one thread for the pool instead of a timer per query.
    void reaper_loop(const std::stop_token& stop);
    void reap(std::chrono::steady_clock::time_point now);

    database_config config_;
    std::string connection_string_;
    mutable std::mutex mutex_;
    std::condition_variable_any ready_;
    std::deque<std::shared_ptr<detail::job>> queue_;
    std::vector<std::shared_ptr<detail::job>> running_;  // guarded by mutex_; one per worker
    std::vector<declared_statement> statements_;  // guarded by mutex_; append-only; settings too
    std::atomic<std::size_t> statement_count_{0};
    std::atomic<std::size_t> in_use_{0};
    std::atomic<std::uint64_t> acquire_timeouts_{0};
    std::atomic<std::uint64_t> answer_timeouts_{0};
    std::atomic<std::uint64_t> reconnects_{0};
    histogram queue_wait_seconds_{latency_buckets()};
    histogram job_seconds_{latency_buckets()};
    std::vector<std::jthread> workers_;
    std::jthread reaper_;
};

template <class R, class F, class Handler>
class pool::typed_job final : public detail::job,
                              public std::enable_shared_from_this<typed_job<R, F, Handler>> {
  public:
    using executor_type = net::associated_executor_t<Handler>;

    typed_job(std::chrono::steady_clock::time_point start_by,
              std::chrono::steady_clock::time_point answer_by, F fn, Handler handler)
        : job{start_by, answer_by}
        , fn_{std::move(fn)}
        , handler_{std::move(handler)}
        , work_{net::get_associated_executor(handler_)} {}

    verdict execute(pqxx::connection& connection, bool last_attempt) override {
        std::exception_ptr failure;
        detail::value_of<R> value{};
        try {
            if constexpr (std::is_void_v<R>) {
                fn_(connection);
            } else {
                value = fn_(connection);
            }
        } catch (const pqxx::broken_connection&) {
            if (!last_attempt) {
                return verdict::retry;
            }
            failure = detail::unavailable("The database is unavailable.");
        } catch (const pqxx::in_doubt_error&) {
            // The connection went during COMMIT: the change may have been made. Running fn
            // again could make it twice; the caller retries with its key (idempotent).
            failure = detail::outcome_unknown();
        } catch (const pqxx::sql_error& e) {
            failure = std::make_exception_ptr(detail::query_failed{e});
        } catch (...) {
            failure = std::current_exception();
        }
        (void)post_result(std::move(failure), std::move(value));
        return verdict::done;
    }

    bool fail(std::exception_ptr why) override { return post_result(std::move(why), {}); }

  private:
    bool post_result(std::exception_ptr failure, detail::value_of<R> value) {
        if (!claim_answer()) {
            return false;  // the reaper answered already; this late result has no one to go to
        }
        net::post(work_.get_executor(),
                  [self = this->shared_from_this(), failure = std::move(failure),
                   value = std::move(value)]() mutable {
                      self->deliver(std::move(failure), std::move(value));
                  });
        return true;
    }

    /// Runs on the handler's executor.
    void deliver(std::exception_ptr failure, detail::value_of<R> value) {
        auto handler = std::move(handler_);
        work_.reset();
        if constexpr (std::is_void_v<R>) {
            std::move(handler)(std::move(failure));
        } else {
            std::move(handler)(std::move(failure), std::move(value));
        }
    }

    F fn_;
    Handler handler_;
    net::executor_work_guard<executor_type> work_;
};

template <class F>
awaitable<std::invoke_result_t<F&, pqxx::connection&>> pool::run(F fn) {
    return run_within(config_.query_timeout, std::move(fn));
}

template <class F>
awaitable<std::invoke_result_t<F&, pqxx::connection&>> pool::run_within(milliseconds bound, F fn) {
    using R = std::invoke_result_t<F&, pqxx::connection&>;
    static_assert(std::is_void_v<R> || std::is_default_constructible_v<R>,
                  "a pool job returns void or a default-constructible value");
    return net::async_initiate<const net::use_awaitable_t<>&, detail::signature_of<R>>(
        [this, bound](auto handler, F f) {
            using job_type = typed_job<R, F, std::decay_t<decltype(handler)>>;
            const auto now = std::chrono::steady_clock::now();
            submit(std::make_shared<job_type>(now + std::min(bound, config_.acquire_timeout),
                                              now + bound, std::move(f), std::move(handler)));
        },
        net::use_awaitable, std::move(fn));
}

template <class F>
awaitable<std::invoke_result_t<F&, pqxx::work&>> pool::transaction(F fn) {
    return run([fn = std::move(fn)](pqxx::connection& c) mutable {
        pqxx::work tx{c};
        if constexpr (std::is_void_v<std::invoke_result_t<F&, pqxx::work&>>) {
            fn(tx);
            tx.commit();
        } else {
            auto r = fn(tx);
            tx.commit();
            return r;
        }
    });
}

}  // namespace poki::db
