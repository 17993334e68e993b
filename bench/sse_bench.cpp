// Event streams under load, for bench/run: opens N SSE streams (one user each) against a
// server, measures the server's memory per idle stream (RSS growth), then commits one event
// per stream per second through the server's own event code (as another instance would)
// and measures the time from commit to receipt. With --baseline it only opens streams
// (against hello_server's /sse) for the memory comparison.
//
// Prints one line of key=value pairs.
#include <algorithm>
#include <charconv>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <pqxx/pqxx>
#include <spdlog/spdlog.h>

#include "poki/auth/jwt.hpp"
#include "poki/cache/redis_client.hpp"
#include "poki/core/crypto.hpp"
#include "poki/db/pool.hpp"
#include "poki/db/read_pipeline.hpp"
#include "poki/notify/event_service.hpp"

#include "bench_support.hpp"

using namespace poki::bench;  // NOLINT(google-build-using-namespace): a program, not a header

namespace {

struct options {
    std::uint16_t port = 0;
    int streams = 1000;
    int seconds = 10;
    bool baseline = false;
    int server_pid = 0;
    std::string pg_url;
    std::uint16_t redis_port = 0;
    std::string jwt_secret;
};

options parse(int argc, char** argv) {
    options o;
    for (int i = 1; i + 1 < argc || (i < argc && std::string{argv[i]} == "--baseline"); ++i) {
        const std::string key = argv[i];
        if (key == "--baseline") {
            o.baseline = true;
            continue;
        }
        const std::string value = argv[++i];
        if (key == "--port") {
            o.port = static_cast<std::uint16_t>(std::stoi(value));
        } else if (key == "--streams") {
            o.streams = std::stoi(value);
        } else if (key == "--seconds") {
            o.seconds = std::stoi(value);
        } else if (key == "--server-pid") {
            o.server_pid = std::stoi(value);
        } else if (key == "--pg") {
            o.pg_url = value;
        } else if (key == "--redis-port") {
            o.redis_port = static_cast<std::uint16_t>(std::stoi(value));
        } else if (key == "--jwt-secret") {
            o.jwt_secret = value;
        } else {
            throw std::runtime_error{"unknown option " + key};
        }
    }
    return o;
}

struct run_state {
    int ready = 0;
    int failed = 0;
    std::vector<clock_type::time_point> committed;  // by event key
    std::vector<clock_type::time_point> received;
    std::int64_t duplicates = 0;
};

std::optional<std::int64_t> key_of(std::string_view frame) {
    const auto at = frame.find("\"k\":");
    if (at == std::string_view::npos) {
        return std::nullopt;
    }
    std::int64_t k = 0;
    const auto* begin = frame.data() + at + 4;
    while (begin < frame.data() + frame.size() && *begin == ' ') {
        ++begin;  // jsonb prints `"k": 12`
    }
    const auto [ptr, ec] = std::from_chars(begin, frame.data() + frame.size(), k);
    return ec == std::errc{} ? std::optional{k} : std::nullopt;
}

/// One stream: connect, ask, then read frames until the run ends.
net::awaitable<void> hold_stream(net::ip::tcp::endpoint server, std::string request,
                                 run_state& state) {
    const bool baseline = request.starts_with("GET /sse ");
    auto opened = [&state, baseline] {
        if (baseline) {
            ++state.ready;  // the bare server sends no `ready` event
        }
    };
    auto frame = [&state](std::string_view f, clock_type::time_point now) {
        if (f.find("event: ready") != std::string_view::npos) {
            ++state.ready;
        } else if (const auto k = key_of(f);
                   k && *k >= 0 && std::cmp_less(*k, state.received.size())) {
            auto& at = state.received[static_cast<std::size_t>(*k)];
            if (at != clock_type::time_point{}) {
                ++state.duplicates;
            }
            at = now;
        }
    };
    if (!co_await read_event_stream(server, std::move(request), opened, frame)) {
        ++state.failed;
    }
}

/// Commits one batch of events (one transaction), notes when, and publishes them.
net::awaitable<void> produce_batch(poki::notify::event_service& events, poki::db::pool& pool,
                                   run_state& state, std::vector<poki::notify::event_draft> drafts,
                                   std::vector<std::size_t> keys, int& in_flight) {
    auto write = [&events, drafts = std::move(drafts)](pqxx::work& tx) mutable {
        return events.record(tx, std::move(drafts));
    };
    auto stored = co_await pool.transaction(std::move(write));
    const auto committed = clock_type::now();
    for (const auto k : keys) {
        state.committed[k] = committed;
    }
    co_await events.publish(std::move(stored));
    --in_flight;
}

}  // namespace

int main(int argc, char** argv) try {
    const auto opt = parse(argc, argv);
    spdlog::set_level(spdlog::level::off);  // stdout carries the result line only
    net::io_context ioc{1};
    const net::ip::tcp::endpoint server{net::ip::make_address("127.0.0.1"), opt.port};
    run_state state;

    std::vector<std::string> requests;
    std::vector<user> users;
    if (opt.baseline) {
        requests.assign(static_cast<std::size_t>(opt.streams),
                        "GET /sse HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    } else {
        users = make_users(opt.pg_url, opt.streams);
        const token_maker tokens{opt.jwt_secret};
        for (const auto& u : users) {
            requests.push_back(stream_request(tokens.token_for(u)));
        }
    }

    const long rss_before = rss_kib(opt.server_pid);
    long rss_idle = 0;
    std::int64_t produced = 0;
    double elapsed_s = 0;

    auto scenario = [&]() -> net::awaitable<void> {
        // Open every stream, a few hundred in flight at a time.
        for (std::size_t i = 0; i < requests.size(); ++i) {
            net::co_spawn(ioc, hold_stream(server, requests[i], state), net::detached);
            while (static_cast<int>(i) + 1 - state.ready - state.failed > 300) {
                co_await sleep_for(std::chrono::milliseconds{2});
            }
        }
        const auto open_deadline = clock_type::now() + std::chrono::seconds{60};
        while (state.ready + state.failed < opt.streams && clock_type::now() < open_deadline) {
            co_await sleep_for(std::chrono::milliseconds{20});
        }
        co_await sleep_for(std::chrono::seconds{2});  // settle
        rss_idle = rss_kib(opt.server_pid);
        if (opt.baseline) {
            co_return;
        }

        poki::database_config dbc;
        dbc.url = opt.pg_url;
        dbc.pool_size = 4;
        poki::db::pool pool{dbc};
        poki::redis_config rc;
        rc.port = opt.redis_port;
        poki::cache::redis_client redis{ioc, rc};
        redis.start();
        poki::events_config ec;
        poki::push_config pc;
        poki::db::read_pipeline reads{ioc.get_executor(), pool, dbc, 1};
        poki::notify::event_service events{pool, reads, redis, ec, pc};
        while (redis.stats().state != poki::cache::redis_state::connected) {
            co_await sleep_for(std::chrono::milliseconds{10});
        }

        // Every 10 ms, a hundredth of the streams get an event: one per stream per second.
        const std::size_t per_tick = std::max<std::size_t>(1, users.size() / 100);
        const auto total = static_cast<std::size_t>(opt.seconds) * 100 * per_tick;
        state.committed.assign(total, {});
        state.received.assign(total, {});
        int in_flight = 0;
        std::size_t next_user = 0;
        const auto started = clock_type::now();
        auto tick_at = started;
        for (std::size_t key = 0; key < total;) {
            tick_at += std::chrono::milliseconds{10};
            std::vector<poki::notify::event_draft> drafts;
            std::vector<std::size_t> keys;
            for (std::size_t i = 0; i < per_tick && key < total; ++i, ++key) {
                const auto& u = users[next_user++ % users.size()];
                drafts.push_back({u.id, "bench.tick", {{"k", key}}, std::nullopt});
                keys.push_back(key);
            }
            ++in_flight;
            net::co_spawn(
                ioc,
                produce_batch(events, pool, state, std::move(drafts), std::move(keys), in_flight),
                net::detached);
            if (const auto wait = tick_at - clock_type::now();
                wait > clock_type::duration::zero()) {
                net::steady_timer t{ioc, wait};
                co_await t.async_wait(net::use_awaitable);
            }
            // NOLINTNEXTLINE(bugprone-infinite-loop): batches finishing decrement it
            while (in_flight > 16) {
                co_await sleep_for(std::chrono::milliseconds{1});
            }
        }
        // NOLINTNEXTLINE(bugprone-infinite-loop): batches finishing decrement it
        while (in_flight > 0) {
            co_await sleep_for(std::chrono::milliseconds{5});
        }
        elapsed_s = std::chrono::duration<double>(clock_type::now() - started).count();
        produced = static_cast<std::int64_t>(total);
        co_await sleep_for(std::chrono::seconds{3});  // stragglers
        redis.stop();
        reads.stop();
        pool.stop();
    };
    run_until_done(ioc, scenario());
    ioc.stop();

    std::vector<double> latencies_ms;
    std::int64_t delivered = 0;
    for (std::size_t k = 0; k < state.received.size(); ++k) {
        if (state.received[k] != clock_type::time_point{} &&
            state.committed[k] != clock_type::time_point{}) {
            ++delivered;
            latencies_ms.push_back(
                std::chrono::duration<double, std::milli>(state.received[k] - state.committed[k])
                    .count());
        }
    }
    const double per_stream_kib =
        state.ready > 0 ? static_cast<double>(rss_idle - rss_before) / state.ready : 0;
    std::cout << "streams=" << state.ready << " failed=" << state.failed
              << " rss_before_kib=" << rss_before << " rss_idle_kib=" << rss_idle
              << " kib_per_stream=" << per_stream_kib << " produced=" << produced
              << " delivered=" << delivered << " duplicates=" << state.duplicates
              << " events_per_s=" << (elapsed_s > 0 ? static_cast<double>(produced) / elapsed_s : 0)
              << " p50_ms=" << percentile(latencies_ms, 0.50)
              << " p99_ms=" << percentile(latencies_ms, 0.99) << "\n";
    return 0;
} catch (const std::exception& e) {
    std::cerr << "sse_bench: " << e.what() << "\n";
    return 1;
}
