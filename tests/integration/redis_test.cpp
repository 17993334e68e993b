#include <mutex>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <gtest/gtest.h>

#include "poki/cache/redis_client.hpp"
#include "poki/cache/redis_script.hpp"
#include "poki/core/error.hpp"

#include "support/test_support.hpp"

namespace poki::cache {
namespace {

redis_config config_for(std::uint16_t port) {
    redis_config cfg;
    cfg.port = port;
    cfg.reconnect_min = milliseconds{20};
    cfg.reconnect_max = milliseconds{200};
    cfg.command_timeout = milliseconds{1000};
    return cfg;
}

std::uint16_t shared_port() {
    return static_cast<std::uint16_t>(std::stoi(test::required_env("TEST_POKI_REDIS_PORT")));
}

awaitable<void> sleep_for(milliseconds d) {
    net::steady_timer t{co_await net::this_coro::executor, d};
    co_await t.async_wait(net::use_awaitable);
}

/// Retries PING until the client is connected, for at most `limit`.
awaitable<bool> wait_connected(redis_client& client, milliseconds limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
        if (client.stats().state == redis_state::connected) {
            co_return true;
        }
        co_await sleep_for(milliseconds{10});
    }
    co_return false;
}

redis_command cmd(std::initializer_list<std::string> parts) {
    return redis_command{parts};
}

TEST(Redis, CommandsAndReplies) {
    net::io_context ioc;
    redis_client client{ioc, config_for(shared_port())};
    client.start();
    test::run(ioc, [&]() -> awaitable<void> {
        EXPECT_TRUE(co_await wait_connected(client, milliseconds{3000}));
        auto set = cmd({"SET", "poki:test:key", "포도 value with spaces"});
        EXPECT_EQ((co_await client.command(std::move(set))).text, "OK");
        auto get = cmd({"GET", "poki:test:key"});
        EXPECT_EQ((co_await client.command(std::move(get))).as_optional_string(),
                  "포도 value with spaces");
        auto missing = cmd({"GET", "poki:test:missing"});
        EXPECT_TRUE((co_await client.command(std::move(missing))).is_nil());
        auto bad = cmd({"INCR", "poki:test:key"});
        EXPECT_TRUE((co_await client.command(std::move(bad))).is_error());
        client.stop();
    }());
}

TEST(Redis, ScriptsRunByTheirHashAndComeBackAfterAFlush) {
    net::io_context ioc;
    redis_client client{ioc, config_for(shared_port())};
    client.start();
    redis_script add{"return redis.call('INCRBY', KEYS[1], ARGV[1])"};
    test::run(ioc, [&]() -> awaitable<void> {
        EXPECT_TRUE(co_await wait_connected(client, milliseconds{3000}));
        auto reset = cmd({"DEL", "poki:test:script"});
        (void)co_await client.command(std::move(reset));
        std::vector<std::string> keys{"poki:test:script"};
        std::vector<std::string> two{"2"};
        EXPECT_EQ((co_await add.run(client, keys, two)).integer, 2);
        EXPECT_EQ((co_await add.run(client, keys, two)).integer, 4);
        // Redis forgets every script (a restart does the same): the next run loads it again.
        auto flush = cmd({"SCRIPT", "FLUSH"});
        (void)co_await client.command(std::move(flush));
        EXPECT_EQ((co_await add.run(client, keys, two)).integer, 6);
        std::vector<std::string> not_a_number{"x"};
        EXPECT_TRUE((co_await add.run(client, keys, not_a_number)).is_error());
        client.stop();
    }());
}

TEST(Redis, PipelineKeepsOrder) {
    net::io_context ioc;
    redis_client client{ioc, config_for(shared_port())};
    client.start();
    test::run(ioc, [&]() -> awaitable<void> {
        EXPECT_TRUE(co_await wait_connected(client, milliseconds{3000}));
        std::vector<redis_command> batch;
        batch.push_back(cmd({"DEL", "poki:test:counter"}));
        for (int i = 0; i < 100; ++i) {
            batch.push_back(cmd({"INCR", "poki:test:counter"}));
        }
        batch.push_back(cmd({"EXPIRE", "poki:test:counter", "60"}));
        const auto replies = co_await client.pipeline(std::move(batch));
        EXPECT_EQ(replies.size(), 102U);
        for (int i = 1; i <= 100; ++i) {
            EXPECT_EQ(replies[static_cast<std::size_t>(i)].as_integer(), i);
        }
        client.stop();
    }());
}

TEST(Redis, ConcurrentCallersFromSeveralThreads) {
    net::io_context ioc;
    redis_client client{ioc, config_for(shared_port())};
    client.start();
    std::atomic<int> ok{0};
    for (int i = 0; i < 200; ++i) {
        net::co_spawn(
            ioc,
            [&, i]() -> awaitable<void> {
                co_await wait_connected(client, milliseconds{3000});
                auto set =
                    cmd({"SET", "poki:test:c" + std::to_string(i), std::to_string(i), "EX", "60"});
                co_await client.command(std::move(set));
                auto get = cmd({"GET", "poki:test:c" + std::to_string(i)});
                if ((co_await client.command(std::move(get))).as_optional_string() ==
                    std::to_string(i)) {
                    ++ok;
                }
            },
            net::detached);
    }
    std::thread second{[&] { ioc.run(); }};
    net::co_spawn(
        ioc,
        [&]() -> awaitable<void> {
            while (ok.load() < 200) {
                co_await sleep_for(milliseconds{10});
            }
            client.stop();
        },
        net::detached);
    ioc.run();
    second.join();
    EXPECT_EQ(ok.load(), 200);
}

TEST(Redis, PubSubDeliversMessages) {
    net::io_context ioc;
    std::mutex m;
    std::vector<std::pair<std::string, std::string>> received;
    redis_client client{ioc, config_for(shared_port())};
    redis_subscriber subscriber{ioc, config_for(shared_port()),
                                [&](std::string_view ch, std::string_view msg) {
                                    const std::lock_guard lock{m};
                                    received.emplace_back(ch, msg);
                                }};
    client.start();
    subscriber.start();
    subscriber.subscribe("poki:test:channel");
    test::run(ioc, [&]() -> awaitable<void> {
        EXPECT_TRUE(co_await subscriber.wait_subscribed(milliseconds{3000}));
        EXPECT_TRUE(co_await wait_connected(client, milliseconds{3000}));
        auto publish = cmd({"PUBLISH", "poki:test:channel", "hello 포키"});
        EXPECT_EQ((co_await client.command(std::move(publish))).as_integer(), 1);
        auto other = cmd({"PUBLISH", "poki:test:other", "not for us"});
        co_await client.command(std::move(other));
        for (int i = 0; i < 200 && received.empty(); ++i) {
            co_await sleep_for(milliseconds{10});
        }
        subscriber.unsubscribe("poki:test:channel");
        co_await sleep_for(milliseconds{50});
        auto after = cmd({"PUBLISH", "poki:test:channel", "after unsubscribe"});
        EXPECT_EQ((co_await client.command(std::move(after))).as_integer(), 0);
        client.stop();
        subscriber.stop();
    }());
    ASSERT_EQ(received.size(), 1U);
    EXPECT_EQ(received[0].first, "poki:test:channel");
    EXPECT_EQ(received[0].second, "hello 포키");
}

TEST(Redis, FailsFastWhileDownAndRecoversAfterRestart) {
    test::own_redis server;
    net::io_context ioc;
    std::atomic<int> messages{0};
    redis_client client{ioc, config_for(server.port())};
    redis_subscriber subscriber{ioc, config_for(server.port()),
                                [&](std::string_view, std::string_view) { ++messages; }};
    client.start();
    subscriber.start();
    subscriber.subscribe("poki:test:restart");
    test::run(ioc, [&]() -> awaitable<void> {
        EXPECT_TRUE(co_await wait_connected(client, milliseconds{3000}));
        EXPECT_TRUE(co_await subscriber.wait_subscribed(milliseconds{3000}));

        server.stop();
        for (int i = 0; i < 300 && client.stats().state == redis_state::connected; ++i) {
            co_await sleep_for(milliseconds{10});
        }
        const auto start = std::chrono::steady_clock::now();
        try {
            auto ping = cmd({"PING"});
            co_await client.command(std::move(ping));
            ADD_FAILURE() << "PING succeeded with Redis stopped";
        } catch (const error& e) {
            EXPECT_EQ(e.code(), errc::unavailable);
        }
        EXPECT_LT(std::chrono::steady_clock::now() - start, milliseconds{100})
            << "did not fail fast";

        server.start();
        EXPECT_TRUE(co_await wait_connected(client, milliseconds{5000}));
        auto ping = cmd({"PING"});
        EXPECT_EQ((co_await client.command(std::move(ping))).text, "PONG");

        // The subscriber re-subscribed by itself.
        EXPECT_TRUE(co_await subscriber.wait_subscribed(milliseconds{5000}));
        auto publish = cmd({"PUBLISH", "poki:test:restart", "back"});
        EXPECT_EQ((co_await client.command(std::move(publish))).as_integer(), 1);
        for (int i = 0; i < 200 && messages.load() == 0; ++i) {
            co_await sleep_for(milliseconds{10});
        }
        client.stop();
        subscriber.stop();
    }());
    EXPECT_EQ(messages.load(), 1);
    EXPECT_GE(client.stats().connects, 2U);
}

TEST(Redis, SilentServerTimesOut) {
    test::own_redis server;
    net::io_context ioc;
    auto cfg = config_for(server.port());
    cfg.command_timeout = milliseconds{200};
    redis_client client{ioc, cfg};
    client.start();
    test::run(ioc, [&]() -> awaitable<void> {
        EXPECT_TRUE(co_await wait_connected(client, milliseconds{3000}));
        server.pause();
        const auto start = std::chrono::steady_clock::now();
        try {
            auto ping = cmd({"PING"});
            co_await client.command(std::move(ping));
            ADD_FAILURE() << "PING answered by a paused server";
        } catch (const error& e) {
            EXPECT_EQ(e.code(), errc::unavailable);
        }
        EXPECT_LT(std::chrono::steady_clock::now() - start, milliseconds{1500});
        server.resume();
        client.stop();
    }());
}

}  // namespace
}  // namespace poki::cache

namespace poki::cache {
namespace {

TEST(Redis, ConnectsByHostName) {
    net::io_context ioc;
    auto cfg = config_for(shared_port());
    cfg.host = "localhost";
    redis_client client{ioc, cfg};
    client.start();
    test::run(ioc, [&]() -> awaitable<void> {
        EXPECT_TRUE(co_await wait_connected(client, milliseconds{3000}));
        auto ping = cmd({"PING"});
        EXPECT_EQ((co_await client.command(std::move(ping))).text, "PONG");
        client.stop();
    }());
}

}  // namespace
}  // namespace poki::cache
