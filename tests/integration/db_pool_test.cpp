#include <atomic>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <gtest/gtest.h>

#include "poki/core/error.hpp"
#include "poki/db/pool.hpp"

#include "support/test_support.hpp"

namespace poki::db {
namespace {

database_config make_config(int size, milliseconds acquire = milliseconds{2000}) {
    database_config cfg;
    cfg.url = test::required_env("TEST_POKI_PG_URL");
    cfg.pool_size = size;
    cfg.acquire_timeout = acquire;
    return cfg;
}

TEST(DbPool, RunsQueriesOffTheIoThread) {
    net::io_context ioc;
    pool p{make_config(2)};
    const auto io_thread = std::this_thread::get_id();
    const auto [answer,
                pool_thread] = test::run(ioc, [&]() -> awaitable<std::pair<int, std::thread::id>> {
        co_return co_await p.run([](pqxx::connection& c) {
            pqxx::nontransaction tx{c};
            return std::pair{tx.exec1("SELECT 41 + 1")[0].as<int>(), std::this_thread::get_id()};
        });
    }());
    EXPECT_EQ(answer, 42);
    EXPECT_NE(pool_thread, io_thread);
}

TEST(DbPool, MoreConcurrentQueriesThanConnections) {
    net::io_context ioc;
    pool p{make_config(3)};
    std::atomic<int> done{0};
    constexpr int queries = 40;
    for (int i = 0; i < queries; ++i) {
        net::co_spawn(
            ioc,
            [&, i]() -> awaitable<void> {
                auto select_after_a_while = [i](pqxx::connection& c) {
                    pqxx::nontransaction tx{c};
                    return tx.exec1("SELECT " + std::to_string(i) + " FROM pg_sleep(0.01)")[0]
                        .as<int>();
                };
                const auto value = co_await p.run(std::move(select_after_a_while));
                EXPECT_EQ(value, i);
                ++done;
            },
            net::detached);
    }
    ioc.run();
    EXPECT_EQ(done.load(), queries);
    // The gauge drops just after a worker hands its result over.
    for (int i = 0; i < 100 && p.stats().in_use != 0; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds{5});
    }
    EXPECT_EQ(p.stats().in_use, 0U);
    EXPECT_EQ(p.stats().waiting, 0U);
}

TEST(DbPool, TransactionCommitsOrRollsBack) {
    net::io_context ioc;
    pool p{make_config(1)};
    test::run(ioc, [&]() -> awaitable<void> {
        co_await p.run([](pqxx::connection& c) {
            pqxx::nontransaction tx{c};
            tx.exec("CREATE TABLE IF NOT EXISTS pool_test (v int)");
            tx.exec("TRUNCATE pool_test");
        });
        co_await p.transaction([](pqxx::work& tx) { tx.exec("INSERT INTO pool_test VALUES (1)"); });
        EXPECT_THROW(co_await p.transaction([](pqxx::work& tx) {
            tx.exec("INSERT INTO pool_test VALUES (2)");
            throw std::runtime_error{"abort"};
        }),
                     std::runtime_error);
        const auto rows = co_await p.run([](pqxx::connection& c) {
            pqxx::nontransaction tx{c};
            return tx.exec1("SELECT count(*) FROM pool_test")[0].as<int>();
        });
        EXPECT_EQ(rows, 1);
    }());
}

// A connection lost during COMMIT: whether the change was made cannot be known, so the work
// is not run again (it could be made twice) and the caller gets 503 outcome_unknown to retry
// with its key. A deferred constraint trigger that ends its own backend loses it exactly there.
TEST(DbPool, AConnectionLostWhileCommittingIsOutcomeUnknownAndNotRunAgain) {
    net::io_context ioc;
    pool p{make_config(1)};
    std::atomic<int> runs{0};
    test::run(ioc, [&]() -> awaitable<void> {
        co_await p.run([](pqxx::connection& c) {
            pqxx::nontransaction tx{c};
            tx.exec("CREATE TABLE IF NOT EXISTS pool_commit_test (v int)");
            tx.exec("TRUNCATE pool_commit_test");
            tx.exec(
                "CREATE OR REPLACE FUNCTION pool_commit_test_die() RETURNS trigger LANGUAGE plpgsql"
                " AS $$ BEGIN PERFORM pg_terminate_backend(pg_backend_pid()); RETURN NULL; END $$");
            tx.exec("DROP TRIGGER IF EXISTS die_at_commit ON pool_commit_test");
            tx.exec(
                "CREATE CONSTRAINT TRIGGER die_at_commit AFTER INSERT ON pool_commit_test"
                " DEFERRABLE INITIALLY DEFERRED FOR EACH ROW"
                " EXECUTE FUNCTION pool_commit_test_die()");
        });
        try {
            co_await p.transaction([&runs](pqxx::work& tx) {
                ++runs;
                tx.exec("INSERT INTO pool_commit_test VALUES (1)");
            });
            ADD_FAILURE() << "the commit that lost its connection succeeded";
        } catch (const error& e) {
            EXPECT_EQ(e.code(), errc::unavailable);
            EXPECT_EQ(e.reason(), "outcome_unknown");
        }
        EXPECT_EQ(runs.load(), 1) << "run again after a commit of unknown outcome";
        // The pool goes on with a new connection.
        const auto rows = co_await p.run([](pqxx::connection& c) {
            pqxx::nontransaction tx{c};
            tx.exec("DROP TABLE pool_commit_test");
            return tx.exec1("SELECT 1")[0].as<int>();
        });
        EXPECT_EQ(rows, 1);
    }());
}

TEST(DbPool, ExhaustedPoolAnswersUnavailableInBoundedTime) {
    net::io_context ioc;
    pool p{make_config(1, milliseconds{150})};
    test::run(ioc, [&]() -> awaitable<void> {
        using namespace boost::asio::experimental::awaitable_operators;
        auto slow = [&]() -> awaitable<void> {
            co_await p.run([](pqxx::connection& c) {
                pqxx::nontransaction tx{c};
                tx.exec("SELECT pg_sleep(1)");
            });
        };
        auto starved = [&]() -> awaitable<errc> {
            // Let the slow query take the only connection first.
            net::steady_timer t{co_await net::this_coro::executor, std::chrono::milliseconds{50}};
            co_await t.async_wait(net::use_awaitable);
            const auto start = std::chrono::steady_clock::now();
            try {
                co_await p.run([](pqxx::connection&) {});
            } catch (const error& e) {
                EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds{900});
                co_return e.code();
            }
            co_return errc::internal;
        };
        const auto code = co_await (slow() && starved());
        EXPECT_EQ(code, errc::unavailable);
    }());
    EXPECT_EQ(p.stats().acquire_timeouts, 1U);
}

TEST(DbPool, UnreachableDatabaseIsUnavailable) {
    net::io_context ioc;
    auto cfg = make_config(1);
    cfg.url = "postgresql://poki@127.0.0.1:" + std::to_string(test::free_port()) + "/poki";
    pool p{cfg};
    try {
        test::run(ioc, p.run([](pqxx::connection&) {}));
        FAIL() << "expected errc::unavailable";
    } catch (const error& e) {
        EXPECT_EQ(e.code(), errc::unavailable);
    }
}

TEST(DbPool, RecoversAfterPostgresRestart) {
    net::io_context ioc;
    pool p{make_config(1)};  // one connection, so the second query must reuse it
    const auto backend_pid = [&] {
        return test::run(ioc, p.run([](pqxx::connection& c) {
            pqxx::nontransaction tx{c};
            return tx.exec1("SELECT pg_backend_pid()")[0].as<int>();
        }));
    };
    const int before = backend_pid();
    test::stack_control("pg-restart");
    // The first query after the restart finds its connection broken, reconnects and succeeds.
    const int after = backend_pid();
    EXPECT_NE(before, after);
    EXPECT_GE(p.stats().reconnects, 1U);
}

TEST(DbPool, DownThenBackWithoutRestartingTheServer) {
    net::io_context ioc;
    pool p{make_config(1)};
    const auto ping = [&] {
        return test::run(ioc, p.run([](pqxx::connection& c) {
            pqxx::nontransaction tx{c};
            return tx.exec1("SELECT 1")[0].as<int>();
        }));
    };
    EXPECT_EQ(ping(), 1);
    test::stack_control("pg-stop");
    try {
        (void)ping();
        ADD_FAILURE() << "query succeeded while PostgreSQL was down";
    } catch (const error& e) {
        EXPECT_EQ(e.code(), errc::unavailable);
    }
    test::stack_control("pg-start");
    EXPECT_EQ(ping(), 1);
}

}  // namespace
}  // namespace poki::db

namespace poki::db {
namespace {

TEST(DbPool, PreparedStatementsReachEveryConnection) {
    net::io_context ioc;
    pool p{make_config(3)};
    p.declare("test.add", "SELECT $1::int + $2::int");
    EXPECT_NO_THROW(p.declare("test.add", "SELECT $1::int + $2::int"));
    EXPECT_THROW(p.declare("test.add", "SELECT 1"), std::invalid_argument);
    std::atomic<int> sum{0};
    for (int i = 0; i < 30; ++i) {
        net::co_spawn(
            ioc,
            [&p, &sum, i]() -> awaitable<void> {
                auto add = [i](pqxx::connection& c) {
                    pqxx::nontransaction tx{c};
                    return tx.exec_prepared1("test.add", i, 1)[0].as<int>();
                };
                sum += co_await p.run(std::move(add));
            },
            net::detached);
    }
    ioc.run();
    EXPECT_EQ(sum.load(), 30 * 29 / 2 + 30);
    // Declared after the connections exist: they prepare it before their next job.
    p.declare("test.twice", "SELECT $1::int * 2");
    auto twice = [](pqxx::connection& c) {
        pqxx::nontransaction tx{c};
        return tx.exec_prepared1("test.twice", 21)[0].as<int>();
    };
    EXPECT_EQ(test::run(ioc, p.run(std::move(twice))), 42);
}

}  // namespace
}  // namespace poki::db
