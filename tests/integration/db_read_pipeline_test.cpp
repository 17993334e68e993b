#include <atomic>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <gtest/gtest.h>

#include "poki/core/error.hpp"
#include "poki/db/pool.hpp"
#include "poki/db/read_pipeline.hpp"

#include "support/test_support.hpp"

namespace poki::db {
namespace {

database_config make_config() {
    database_config cfg;
    cfg.url = test::required_env("TEST_POKI_PG_URL");
    cfg.pool_size = 2;
    return cfg;
}

/// A pool for declarations and connecting, and a pipeline of `connections` beside it.
struct pipeline_stack {
    explicit pipeline_stack(const database_config& cfg = make_config(), int connections = 2)
        : blocking{cfg}, reads{ioc.get_executor(), blocking, cfg, connections} {}
    ~pipeline_stack() {
        reads.stop();
        ioc.restart();
        ioc.poll();  // lets the connections close on their strands
        blocking.stop();
    }
    pipeline_stack(const pipeline_stack&) = delete;
    pipeline_stack& operator=(const pipeline_stack&) = delete;

    template <class T>
    T run(awaitable<T> task) {
        return test::run(ioc, std::move(task));
    }
    int backend_pid() { return run(reads.query("test.backend_pid")).int32(0, 0); }

    net::io_context ioc;
    pool blocking;
    read_pipeline reads;
};

errc code_of(pipeline_stack& s, awaitable<read_result> read) {
    try {
        (void)s.run(std::move(read));
    } catch (const error& e) {
        return e.code();
    }
    return errc::internal;
}

TEST(ReadPipeline, AnswersWithParametersAndNulls) {
    pipeline_stack s;
    s.blocking.declare("test.echo", "SELECT $1::int + 1, $2::text IS NULL, $3::text, NULL::text");
    const auto rows = s.run(s.reads.query("test.echo", {"41", std::nullopt, "하늘"}));
    ASSERT_EQ(rows.rows(), 1);
    EXPECT_EQ(rows.int32(0, 0), 42);
    EXPECT_TRUE(rows.boolean(0, 1));
    EXPECT_EQ(rows.text(0, 2), "하늘");
    EXPECT_TRUE(rows.is_null(0, 3));
    EXPECT_FALSE(rows.is_null(0, 2));
}

TEST(ReadPipeline, ConcurrentReadsEachGetTheirOwnAnswer) {
    pipeline_stack s;
    s.blocking.declare("test.series", "SELECT g FROM generate_series(1, $1::int) g");
    constexpr int reads = 300;
    std::atomic<int> right{0};
    for (int i = 1; i <= reads; ++i) {
        net::co_spawn(
            s.ioc,
            [&s, &right, i]() -> awaitable<void> {
                read_params count{std::to_string(i % 7)};
                const auto rows = co_await s.reads.query("test.series", std::move(count));
                if (rows.rows() == i % 7 && (i % 7 == 0 || rows.int32(i % 7 - 1, 0) == i % 7)) {
                    ++right;
                }
            },
            net::detached);
    }
    s.ioc.run();
    EXPECT_EQ(right.load(), reads);
}

TEST(ReadPipeline, AFailedStatementFailsOnlyItself) {
    pipeline_stack s{make_config(), 1};  // one connection: all three share a pipeline
    s.blocking.declare("test.divide", "SELECT 10 / $1::int");
    using namespace boost::asio::experimental::awaitable_operators;
    auto divide = [&s](int by) -> awaitable<std::string> {
        try {
            read_params divisor{std::to_string(by)};
            const auto rows = co_await s.reads.query("test.divide", std::move(divisor));
            co_return std::string{rows.text(0, 0)};
        } catch (const detail::query_failed& e) {
            co_return "SQLSTATE " + e.sqlstate();
        }
    };
    const auto [a, b, c] =
        s.run([&]() -> awaitable<std::tuple<std::string, std::string, std::string>> {
            co_return co_await (divide(2) && divide(0) && divide(5));
        }());
    EXPECT_EQ(a, "5");
    EXPECT_EQ(b, "SQLSTATE 22012");  // division_by_zero
    EXPECT_EQ(c, "2");
}

TEST(ReadPipeline, ConnectionsGetTheDeclaredSettingsAndStatementTimeout) {
    auto cfg = make_config();
    cfg.statement_timeout = milliseconds{200};
    pipeline_stack s{cfg};
    s.blocking.declare_setting("poki.test_setting", "from the pool");
    s.blocking.declare("test.setting", "SELECT current_setting('poki.test_setting')");
    s.blocking.declare("test.sleep", "SELECT pg_sleep($1::float8)");
    EXPECT_EQ(s.run(s.reads.query("test.setting")).text(0, 0), "from the pool");
    try {
        (void)s.run(s.reads.query("test.sleep", {"2"}));
        ADD_FAILURE() << "a 2 s statement outlived a 200 ms statement_timeout";
    } catch (const detail::query_failed& e) {
        EXPECT_EQ(e.sqlstate(), "57014");  // query_canceled
    }
    // Declared after the connections opened: prepared before the next read that follows.
    s.blocking.declare("test.late", "SELECT 'late'::text");
    EXPECT_EQ(s.run(s.reads.query("test.late")).text(0, 0), "late");
}

TEST(ReadPipeline, NoAnswerWithinQueryTimeoutIsUnavailableAndTheNextReadWorks) {
    auto cfg = make_config();
    cfg.statement_timeout = milliseconds{0};
    cfg.query_timeout = milliseconds{300};
    pipeline_stack s{cfg, 1};
    s.blocking.declare("test.sleep", "SELECT pg_sleep($1::float8)");
    s.blocking.declare("test.one", "SELECT 1");
    const auto start = std::chrono::steady_clock::now();
    EXPECT_EQ(code_of(s, s.reads.query("test.sleep", {"3"})), errc::unavailable);
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds{2500});
    EXPECT_EQ(s.run(s.reads.query("test.one")).int32(0, 0), 1);
    std::string metrics;
    s.reads.render_metrics(metrics);
    EXPECT_NE(metrics.find("poki_db_pipeline_breaks_total 1"), std::string::npos) << metrics;
}

TEST(ReadPipeline, AReadAcrossAPostgresRestartIsSentAgain) {
    pipeline_stack s{make_config(), 1};
    s.blocking.declare("test.backend_pid", "SELECT pg_backend_pid()");
    const int before = s.backend_pid();
    test::stack_control("pg-restart");
    // The connection is dead; the read finds out, opens a fresh one and is answered there.
    const int after = s.backend_pid();
    EXPECT_NE(before, after);
}

TEST(ReadPipeline, DownIsUnavailableThenBackWithoutRestartingTheServer) {
    pipeline_stack s{make_config(), 1};
    s.blocking.declare("test.backend_pid", "SELECT pg_backend_pid()");
    (void)s.backend_pid();
    test::stack_control("pg-stop");
    EXPECT_EQ(code_of(s, s.reads.query("test.backend_pid")), errc::unavailable);
    test::stack_control("pg-start");
    EXPECT_GT(s.backend_pid(), 0);
}

}  // namespace
}  // namespace poki::db
