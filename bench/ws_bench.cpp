// WebSockets and calls under load, for bench/run: opens N sockets (one user each) against a
// server and measures its memory per idle socket (RSS growth); then C pairs of them call
// each other (invite, accept) and both sides send signals (ICE candidates) at R per second
// for S seconds, through the server's relay; the time from send to receipt is measured in
// this process (one clock). With --port2 the callees connect to a second instance, so every
// signal crosses Redis between instances. With --baseline it only opens sockets (against
// hello_server's /ws) for the memory comparison.
//
// Prints one line of key=value pairs.
#include <charconv>
#include <functional>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "bench_support.hpp"

using namespace poki::bench;  // NOLINT(google-build-using-namespace): a program, not a header

namespace {

namespace beast = boost::beast;
namespace websocket = beast::websocket;

struct options {
    std::uint16_t port = 0;
    std::uint16_t port2 = 0;  ///< callees connect here when set
    int sockets = 1000;
    int calls = 0;
    int rate = 10;  ///< signals per second and side
    int seconds = 10;
    bool baseline = false;
    int server_pid = 0;
    std::string pg_url;
    std::string jwt_secret;
};

options parse(int argc, char** argv) {
    options o;
    for (int i = 1; i < argc; ++i) {
        const std::string key = argv[i];
        if (key == "--baseline") {
            o.baseline = true;
            continue;
        }
        if (i + 1 >= argc) {
            throw std::runtime_error{"missing value for " + key};
        }
        const std::string value = argv[++i];
        if (key == "--port") {
            o.port = static_cast<std::uint16_t>(std::stoi(value));
        } else if (key == "--port2") {
            o.port2 = static_cast<std::uint16_t>(std::stoi(value));
        } else if (key == "--sockets") {
            o.sockets = std::stoi(value);
        } else if (key == "--calls") {
            o.calls = std::stoi(value);
        } else if (key == "--rate") {
            o.rate = std::stoi(value);
        } else if (key == "--seconds") {
            o.seconds = std::stoi(value);
        } else if (key == "--server-pid") {
            o.server_pid = std::stoi(value);
        } else if (key == "--pg") {
            o.pg_url = value;
        } else if (key == "--jwt-secret") {
            o.jwt_secret = value;
        } else {
            throw std::runtime_error{"unknown option " + key};
        }
    }
    return o;
}

/// What one socket has heard, written by its reader.
struct socket_state {
    std::int64_t user_id = 0;
    std::string call_id;  ///< of call.ringing (caller) or call.incoming (callee)
    bool greeted = false;
    bool accepted = false;
    bool closed = false;
};

struct run_state {
    int ready = 0;
    int failed = 0;
    std::int64_t sent = 0;
    std::int64_t received = 0;
    std::int64_t errors = 0;
    std::vector<double> latencies_ms;
    bool measuring = false;
};

using ws_stream = websocket::stream<beast::tcp_stream>;

std::int64_t now_ns() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               clock_type::now().time_since_epoch())
        .count();
}

/// A relayed candidate carries its send time: "candidate:<ns> …".
void note_signal(std::string_view text, run_state& run) {
    const auto at = text.find("candidate:");
    if (at == std::string_view::npos) {
        return;
    }
    std::int64_t sent = 0;
    const auto* begin = text.data() + at + 10;
    const auto [ptr, ec] = std::from_chars(begin, text.data() + text.size(), sent);
    if (ec != std::errc{}) {
        return;
    }
    ++run.received;
    if (run.measuring) {
        run.latencies_ms.push_back(static_cast<double>(now_ns() - sent) / 1e6);
    }
}

void on_message(std::string_view text, socket_state& me, run_state& run) {
    if (text.find(R"("type":"signal")") != std::string_view::npos) {
        note_signal(text, run);
        return;
    }
    const auto message = nlohmann::json::parse(text, nullptr, false);
    const auto type = message.value("type", "");
    if (type == "hello") {
        me.greeted = true;
        ++run.ready;
    } else if (type == "call.ringing" || type == "call.incoming") {
        me.call_id = message.value("call_id", "");
    } else if (type == "call.accepted") {
        me.accepted = true;
    } else if (type == "error") {
        ++run.errors;
    }
}

net::awaitable<void> read_loop(ws_stream& ws, socket_state& me, run_state& run, bool baseline) {
    beast::flat_buffer buffer;
    while (true) {
        auto [ec, n] = co_await ws.async_read(buffer, use_tuple);
        if (ec) {
            break;
        }
        if (!baseline) {
            on_message(beast::buffers_to_string(buffer.data()), me, run);
        }
        buffer.consume(buffer.size());
    }
    me.closed = true;
}

/// Connects and reads until the run ends; the socket is handed out for writing.
net::awaitable<void> hold_socket(net::ip::tcp::endpoint server, std::string target,
                                 std::string token, std::shared_ptr<ws_stream>& out,
                                 socket_state& me, run_state& run) {
    auto ws = std::make_shared<ws_stream>(co_await net::this_coro::executor);
    if (auto [ec] = co_await beast::get_lowest_layer(*ws).async_connect(server, use_tuple); ec) {
        ++run.failed;
        co_return;
    }
    beast::get_lowest_layer(*ws).expires_never();
    ws->set_option(websocket::stream_base::decorator([token](websocket::request_type& req) {
        if (!token.empty()) {
            req.set(beast::http::field::authorization, "Bearer " + token);
        }
    }));
    if (auto [ec] = co_await ws->async_handshake("127.0.0.1", target, use_tuple); ec) {
        ++run.failed;
        co_return;
    }
    const bool baseline = token.empty();
    if (baseline) {
        ++run.ready;  // the bare server says no hello
    }
    out = ws;
    co_await read_loop(*ws, me, run, baseline);
}

net::awaitable<bool> send_text(ws_stream& ws, const std::string& text) {
    auto [ec, n] = co_await ws.async_write(net::buffer(text), use_tuple);
    co_return !ec;
}

net::awaitable<void> wait_until(const std::function<bool()>& done, std::chrono::seconds bound) {
    const auto deadline = clock_type::now() + bound;
    while (!done() && clock_type::now() < deadline) {
        co_await sleep_for(std::chrono::milliseconds{5});
    }
}

/// One side of a call: the caller invites, the callee answers; then both send candidates.
net::awaitable<void> talk(ws_stream& ws, socket_state& me, const socket_state& peer, bool caller,
                          const options& opt, run_state& run, clock_type::time_point start,
                          clock_type::time_point stop) {
    if (caller) {
        const auto invite = nlohmann::json{
            {"type", "call.invite"},
            {"to", peer.user_id},
            {"media", "video"}}.dump();
        co_await send_text(ws, invite);
    } else {
        const std::function<bool()> rung = [&me] { return !me.call_id.empty(); };
        co_await wait_until(rung, std::chrono::seconds{30});
        const auto accept = nlohmann::json{{"type", "call.accept"}, {"call_id", me.call_id}}.dump();
        co_await send_text(ws, accept);
    }
    const std::function<bool()> in_call = [&me] { return me.accepted && !me.call_id.empty(); };
    co_await wait_until(in_call, std::chrono::seconds{30});
    if (!me.accepted) {
        co_return;
    }
    // Everyone starts at `start`, spread over one interval so the sends do not come in bursts.
    const auto interval = std::chrono::nanoseconds{1'000'000'000 / std::max(1, opt.rate)};
    auto next = start + interval * (me.user_id % 97) / 97;
    while (next < stop && !me.closed) {
        if (const auto wait = next - clock_type::now(); wait > clock_type::duration::zero()) {
            net::steady_timer t{co_await net::this_coro::executor, wait};
            co_await t.async_wait(use_tuple);
        }
        next += interval;
        const auto signal = nlohmann::json{
            {"type", "signal"},
            {"call_id", me.call_id},
            {"to", peer.user_id},
            {"candidate",
             {{"candidate", "candidate:" + std::to_string(now_ns()) +
                                " 1 udp 2122260223 127.0.0.1 50000 "
                                "typ host"},
              {"sdpMid", "0"},
              {"sdpMLineIndex",
               0}}}}.dump();
        if (!co_await send_text(ws, signal)) {
            break;
        }
        ++run.sent;
    }
}

/// talk(), then one fewer side talking.
net::awaitable<void> one_side(ws_stream& ws, socket_state& me, const socket_state& peer,
                              bool caller, const options& opt, run_state& run,
                              clock_type::time_point start, clock_type::time_point stop,
                              int& talking) {
    co_await talk(ws, me, peer, caller, opt, run, start, stop);
    --talking;
}

}  // namespace

int main(int argc, char** argv) try {
    const auto opt = parse(argc, argv);
    spdlog::set_level(spdlog::level::off);
    net::io_context ioc{1};
    const net::ip::tcp::endpoint first{net::ip::make_address("127.0.0.1"), opt.port};
    const net::ip::tcp::endpoint second{net::ip::make_address("127.0.0.1"),
                                        opt.port2 != 0 ? opt.port2 : opt.port};
    const auto n = static_cast<std::size_t>(std::max(opt.sockets, 2 * opt.calls));
    run_state run;
    std::vector<socket_state> states(n);
    std::vector<std::shared_ptr<ws_stream>> sockets(n);
    std::vector<std::string> tokens(n);
    if (!opt.baseline) {
        // Families of four: users 4k and 4k+1 call each other, and 4k+2 and 4k+3.
        const auto users = make_users(opt.pg_url, static_cast<int>(n));
        const token_maker maker{opt.jwt_secret};
        for (std::size_t i = 0; i < n; ++i) {
            states[i].user_id = users[i].id;
            tokens[i] = maker.token_for(users[i]);
        }
    }
    const long rss_before = opt.server_pid != 0 ? rss_kib(opt.server_pid) : 0;
    long rss_idle = 0;
    double elapsed_s = 0;

    auto scenario = [&]() -> net::awaitable<void> {
        for (std::size_t i = 0; i < n; ++i) {
            // Callees (odd) on the second instance when there is one.
            const auto& server = (i % 2 == 1) ? second : first;
            const std::string target = opt.baseline ? "/ws" : "/api/v1/ws";
            net::co_spawn(ioc, hold_socket(server, target, tokens[i], sockets[i], states[i], run),
                          net::detached);
            while (static_cast<int>(i) + 1 - run.ready - run.failed > 300) {
                co_await sleep_for(std::chrono::milliseconds{2});
            }
        }
        const auto open_deadline = clock_type::now() + std::chrono::seconds{60};
        while (std::cmp_less(run.ready + run.failed, n) && clock_type::now() < open_deadline) {
            co_await sleep_for(std::chrono::milliseconds{20});
        }
        co_await sleep_for(std::chrono::seconds{2});  // settle
        rss_idle = opt.server_pid != 0 ? rss_kib(opt.server_pid) : 0;
        if (opt.baseline || opt.calls == 0) {
            co_return;
        }
        const auto start = clock_type::now() + std::chrono::seconds{5};  // time to ring and answer
        const auto stop = start + std::chrono::seconds{opt.seconds};
        int talking = 0;
        for (std::size_t pair = 0; std::cmp_less(pair, opt.calls); ++pair) {
            const auto caller = 2 * pair;
            const auto callee = caller + 1;
            if (!sockets[caller] || !sockets[callee]) {
                continue;
            }
            talking += 2;
            net::co_spawn(ioc,
                          one_side(*sockets[caller], states[caller], states[callee], true, opt, run,
                                   start, stop, talking),
                          net::detached);
            net::co_spawn(ioc,
                          one_side(*sockets[callee], states[callee], states[caller], false, opt,
                                   run, start, stop, talking),
                          net::detached);
        }
        const std::function<bool()> started = [start] { return clock_type::now() >= start; };
        co_await wait_until(started, std::chrono::seconds{10});
        run.measuring = true;
        const std::function<bool()> all_done = [&talking] { return talking == 0; };
        co_await wait_until(all_done, std::chrono::seconds{opt.seconds + 40});
        elapsed_s = opt.seconds;
        co_await sleep_for(std::chrono::seconds{2});  // stragglers
        run.measuring = false;
    };
    run_until_done(ioc, scenario());
    int answered = 0;
    for (const auto& s : states) {
        answered += s.accepted ? 1 : 0;
    }
    const double per_socket_kib =
        run.ready > 0 ? static_cast<double>(rss_idle - rss_before) / run.ready : 0;
    std::cout << "sockets=" << run.ready << " failed=" << run.failed
              << " kib_per_socket=" << per_socket_kib << " calls=" << opt.calls
              << " answered_sides=" << answered << " sent=" << run.sent
              << " received=" << run.received << " errors=" << run.errors << " signals_per_s="
              << (elapsed_s > 0 ? static_cast<double>(run.sent) / elapsed_s : 0)
              << " p50_ms=" << percentile(run.latencies_ms, 0.50)
              << " p99_ms=" << percentile(run.latencies_ms, 0.99) << "\n";
    ioc.stop();
    return 0;
} catch (const std::exception& e) {
    std::cerr << "ws_bench: " << e.what() << "\n";
    return 1;
}
