// A mixed load across a hand-over restart, for bench/run: keep-alive connections in a closed
// loop, each sending in turn GET /api/v1/meta, GET /api/v1/chat/rooms and a chat message,
// as a client library would (a new connection when the server says `Connection: close`; one
// retry when a reused connection turns out to be closed before any byte of its answer). With
// --handover COMMAND, the command runs halfway through (`poki handover …`).
//
// Prints one line of key=value pairs: requests/s over the whole run, failed requests,
// retries, and the dip: how long (in 100 ms buckets) throughput stayed below half the
// median bucket.
#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>

#include "bench_support.hpp"

using namespace poki::bench;  // NOLINT(google-build-using-namespace): a program, not a header

namespace {

struct options : server_options {
    int connections = 32;
    int seconds = 10;
    std::string handover;
    bool series = false;  ///< also print requests per second, second by second
};

options parse(int argc, char** argv) {
    options o;
    read_options(argc, argv, [&o](std::string_view key, const std::string& value) {
        if (key == "--connections") {
            o.connections = std::stoi(value);
        } else if (key == "--seconds") {
            o.seconds = std::stoi(value);
        } else if (key == "--handover") {
            o.handover = value;
        } else if (key == "--series") {
            o.series = value == "1";
        } else {
            return o.take(key, value);
        }
        return true;
    });
    return o;
}

constexpr auto bucket = std::chrono::milliseconds{100};

struct tally {
    clock_type::time_point start;
    std::vector<std::int64_t> completed;  ///< per bucket
    std::int64_t failed = 0;
    std::int64_t retries = 0;
    bool running = true;

    void done(clock_type::time_point at) {
        const auto i = static_cast<std::size_t>((at - start) / bucket);
        if (i < completed.size()) {
            ++completed[i];
        }
    }
};

struct answer {
    int status = 0;
    bool keep_alive = false;
    bool nothing_came = false;  ///< the connection closed before any byte of the answer
};

net::awaitable<answer> exchange(net::ip::tcp::socket& socket, const std::string& request) {
    answer a;
    if (auto [ec, n] = co_await net::async_write(socket, net::buffer(request), use_tuple); ec) {
        a.nothing_came = true;
        co_return a;
    }
    net::streambuf in;
    auto [ec, header_bytes] = co_await net::async_read_until(socket, in, "\r\n\r\n", use_tuple);
    if (ec) {
        a.nothing_came = in.size() == 0;
        co_return a;
    }
    const std::string head{
        net::buffers_begin(in.data()),
        net::buffers_begin(in.data()) + static_cast<std::ptrdiff_t>(header_bytes)};
    in.consume(header_bytes);
    a.status = std::stoi(head.substr(9, 3));
    a.keep_alive = head.find("Connection: close") == std::string::npos &&
                   head.find("connection: close") == std::string::npos;
    std::size_t length = 0;
    if (const auto at = head.find("Content-Length: "); at != std::string::npos) {
        length = std::stoul(head.substr(at + 16));
    }
    if (in.size() < length) {
        auto [read_ec, n] = co_await net::async_read(
            socket, in, net::transfer_exactly(length - in.size()), use_tuple);
        if (read_ec) {
            a.status = 0;
        }
    }
    co_return a;
}

std::string request_for(int turn, const std::string& token, std::int64_t room, std::uint64_t n) {
    switch (turn % 3) {
        case 0:
            return "GET /api/v1/meta HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
        case 1:
            return "GET /api/v1/chat/rooms HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " +
                   token + "\r\n\r\n";
        default: {
            char id[37];
            std::snprintf(id, sizeof id, "00000000-0000-4000-8000-%012llx",
                          static_cast<unsigned long long>(n));
            const std::string body = std::string{R"({"client_id":")"} + id + R"(","text":"hi"})";
            return "POST /api/v1/chat/rooms/" + std::to_string(room) +
                   "/messages HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + token +
                   "\r\nContent-Type: application/json\r\nContent-Length: " +
                   std::to_string(body.size()) + "\r\n\r\n" + body;
        }
    }
}

net::awaitable<void> client(net::ip::tcp::endpoint server, std::string token, std::int64_t room,
                            std::uint64_t first_id, tally& t) {
    std::optional<net::ip::tcp::socket> socket;
    std::uint64_t n = first_id;
    for (int turn = 0; t.running; ++turn) {
        const auto request = request_for(turn, token, room, n++);
        answer a;
        for (int attempt = 0; attempt < 2; ++attempt) {
            const bool reused = socket.has_value();
            if (!socket) {
                socket.emplace(co_await net::this_coro::executor);
                if (auto [ec] = co_await socket->async_connect(server, use_tuple); ec) {
                    socket.reset();
                    break;
                }
            }
            a = co_await exchange(*socket, request);
            if (a.status == 0) {
                socket.reset();
                if (reused && a.nothing_came) {
                    ++t.retries;
                    continue;
                }
            }
            break;
        }
        if (a.status < 200 || a.status >= 300) {
            ++t.failed;
            socket.reset();
            co_await sleep_for(std::chrono::milliseconds{10});
            continue;
        }
        if (!a.keep_alive) {
            socket.reset();
        }
        t.done(clock_type::now());
    }
}

}  // namespace

int main(int argc, char** argv) {
    try {
        const auto o = parse(argc, argv);
        const auto users = make_users(o.pg_url, 4 * o.connections);
        const token_maker tokens{o.jwt_secret};
        net::io_context ioc;
        tally t;
        t.start = clock_type::now();
        t.completed.assign(static_cast<std::size_t>(o.seconds) * 10, 0);
        const net::ip::tcp::endpoint server{net::ip::make_address("127.0.0.1"), o.port};
        for (int i = 0; i < o.connections; ++i) {
            const auto& u = users[static_cast<std::size_t>(4 * i)];
            net::co_spawn(ioc,
                          client(server, tokens.token_for(u), u.family_room_id,
                                 static_cast<std::uint64_t>(i) << 32U, t),
                          net::detached);
        }
        std::atomic<int> handover_exit{-1};
        std::jthread handover;
        if (!o.handover.empty()) {
            handover = std::jthread{[&] {
                std::this_thread::sleep_for(std::chrono::seconds{o.seconds} / 2);
                // NOLINTNEXTLINE(cert-env33-c,concurrency-mt-unsafe): the operator's command
                handover_exit = std::system(o.handover.c_str());
            }};
        }
        ioc.run_for(std::chrono::seconds{o.seconds});
        t.running = false;
        ioc.run_for(std::chrono::seconds{2});  // let the last requests finish
        if (handover.joinable()) {
            handover.join();
        }
        std::int64_t total = 0;
        for (const auto c : t.completed) {
            total += c;
        }
        auto sorted = t.completed;
        std::sort(sorted.begin(), sorted.end());
        const auto median = sorted[sorted.size() / 2];
        // The first and last second warm up and wind down; the dip is looked for between.
        std::int64_t dip_buckets = 0;
        for (std::size_t i = 10; i + 10 < t.completed.size(); ++i) {
            dip_buckets += 2 * t.completed[i] < median ? 1 : 0;
        }
        if (o.series) {
            for (std::size_t i = 0; i < t.completed.size(); i += 10) {
                std::int64_t second = 0;
                for (std::size_t j = i; j < i + 10 && j < t.completed.size(); ++j) {
                    second += t.completed[j];
                }
                std::cout << second << (i + 10 < t.completed.size() ? " " : "\n");
            }
        }
        std::cout << "rps=" << total / o.seconds << " failed=" << t.failed
                  << " retries=" << t.retries << " dip_ms=" << dip_buckets * bucket.count()
                  << " handover_exit=" << handover_exit.load() << "\n";
        return 0;
    } catch (const std::exception& e) {
        std::cerr << "handover bench: " << e.what() << "\n";
        return 1;
    }
}
