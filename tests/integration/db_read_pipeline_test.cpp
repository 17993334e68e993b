#include <atomic>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <gtest/gtest.h>

#include "poki/core/error.hpp"
#include "poki/db/nullable.hpp"
#include "poki/db/pool.hpp"
#include "poki/db/read_pipeline.hpp"
#include "poki/db/sql_text.hpp"

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
    int backend_pid() { return run(reads.query("test.backend_pid"))[0][0].as<int>(); }

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
    EXPECT_EQ(rows[0][0].as<int>(), 42);
    EXPECT_TRUE(rows[0][1].as<bool>());
    EXPECT_EQ(rows[0][2].view(), "하늘");
    EXPECT_TRUE(rows[0][3].is_null());
    EXPECT_FALSE(rows[0][2].is_null());
}

TEST(ReadPipeline, TypedParametersAndFieldsRoundTrip) {
    pipeline_stack s;
    s.blocking.declare("test.typed",
                       "SELECT $1::bigint, $2::int, $3::int IS NULL, $4::text, $5::bool, $6::text");
    const std::int64_t big = 9'007'199'254'740'993;  // past a double's exact integers
    const std::optional<int> none;
    const std::string text = "공룡 \\ 'quoted'";
    const auto rows = s.run(s.reads.query("test.typed", params(big, -7, none, text, true, "x")));
    EXPECT_EQ(rows[0][0].as<std::int64_t>(), big);
    EXPECT_EQ(rows[0][1].as<int>(), -7);
    EXPECT_TRUE(rows[0][2].as<bool>());
    EXPECT_EQ(rows[0][3].as<std::string>(), text);
    EXPECT_TRUE(rows[0][4].as<bool>());
    EXPECT_EQ(nullable<std::string>(rows[0][5]), std::optional<std::string>{"x"});
    EXPECT_THROW((void)rows[0][3].as<int>(), std::runtime_error);  // text is no integer
}

TEST(ReadPipeline, AScopedPageTellsNotVisibleFromEmpty) {
    pipeline_stack s;
    // Visible when $1 is even; the page is the numbers below $2.
    s.blocking.declare(
        "test.scoped",
        scoped_page("$1::int % 2 = 0", "SELECT n FROM generate_series(1, $2::int - 1) AS g(n)"));
    const auto map = [](const read_row& r) { return r[0].as<int>(); };
    const auto hidden = s.run(s.reads.query("test.scoped", params(1, 5)));
    EXPECT_EQ(scoped_rows<int>(hidden, map), std::nullopt);
    const auto empty = s.run(s.reads.query("test.scoped", params(2, 1)));
    EXPECT_EQ(scoped_rows<int>(empty, map), std::optional<std::vector<int>>{std::vector<int>{}});
    const auto three = s.run(s.reads.query("test.scoped", params(2, 4)));
    EXPECT_EQ(scoped_rows<int>(three, map), (std::optional<std::vector<int>>{{1, 2, 3}}));
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
                if (rows.rows() == i % 7 && (i % 7 == 0 || rows[i % 7 - 1][0].as<int>() == i % 7)) {
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
            co_return rows[0][0].as<std::string>();
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
    EXPECT_EQ(s.run(s.reads.query("test.setting"))[0][0].view(), "from the pool");
    try {
        (void)s.run(s.reads.query("test.sleep", {"2"}));
        ADD_FAILURE() << "a 2 s statement outlived a 200 ms statement_timeout";
    } catch (const detail::query_failed& e) {
        EXPECT_EQ(e.sqlstate(), "57014");  // query_canceled
    }
    // Declared after the connections opened: prepared before the next read that follows.
    s.blocking.declare("test.late", "SELECT 'late'::text");
    EXPECT_EQ(s.run(s.reads.query("test.late"))[0][0].view(), "late");
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
    EXPECT_EQ(s.run(s.reads.query("test.one"))[0][0].as<int>(), 1);
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
