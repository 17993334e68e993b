// Family chat under load, for bench/run: families of four, every member holding an event
// stream, members sending to their family room over keep-alive connections as fast as the
// server answers (a closed loop of --senders connections). Measures messages/s and the
// time from starting a send to each other member receiving it on their stream.
//
// Prints one line of key=value pairs.
#include <charconv>
#include <iostream>
#include <string>
#include <unordered_map>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include "bench_support.hpp"

using namespace poki::bench;  // NOLINT(google-build-using-namespace): a program, not a header

namespace {

struct options : server_options {
    int families = 100;
    int senders = 64;
    int seconds = 10;
};

options parse(int argc, char** argv) {
    options o;
    read_options(argc, argv, [&o](std::string_view key, const std::string& value) {
        if (key == "--families") {
            o.families = std::stoi(value);
        } else if (key == "--senders") {
            o.senders = std::stoi(value);
        } else if (key == "--seconds") {
            o.seconds = std::stoi(value);
        } else {
            return o.take(key, value);
        }
        return true;
    });
    return o;
}

struct run_state {
    int ready = 0;
    int failed_streams = 0;
    bool measuring = false;
    std::int64_t sent = 0;
    std::int64_t send_errors = 0;
    std::unordered_map<std::string, clock_type::time_point> started;  // by client_id
    /// Every delivery of every message, window or not: counted against the sends acknowledged
    /// inside the window, so a send acknowledged at its edge is neither lost nor counted twice.
    std::unordered_map<std::string, int> deliveries;  // by client_id
    std::vector<std::string> acknowledged;            // client_ids, inside the window
    std::vector<double> latencies_ms;
};

std::string client_id_for(std::uint64_t n) {
    // A valid UUID made of a run prefix and a counter.
    static const std::string prefix = [] {
        const auto bytes = poki::crypto::random_bytes(4);
        std::string hex;
        for (const auto b : bytes) {
            constexpr std::string_view digits = "0123456789abcdef";
            hex += digits[static_cast<unsigned char>(b) >> 4U];
            hex += digits[static_cast<unsigned char>(b) & 0xFU];
        }
        return hex;
    }();
    std::array<char, 17> counter{};
    std::snprintf(counter.data(), counter.size(), "%016llx", static_cast<unsigned long long>(n));
    const std::string c{counter.data(), 16};
    // Every digit of the counter appears (senders count from s << 40): no two sends share
    // an id, so deliveries can be counted by it.
    return prefix + "-" + c.substr(0, 4) + "-4" + c.substr(4, 3) + "-8" + c.substr(7, 3) + "-" +
           c.substr(10, 6) + "000000";
}

std::optional<std::string_view> client_id_in(std::string_view frame) {
    constexpr std::string_view key = "\"client_id\":";
    auto at = frame.find(key);
    if (at == std::string_view::npos) {
        return std::nullopt;
    }
    at = frame.find('"', at + key.size());  // jsonb prints `"client_id": "…"`
    return at == std::string_view::npos ? std::nullopt : std::optional{frame.substr(at + 1, 36)};
}

net::awaitable<void> hold_stream(net::ip::tcp::endpoint server, std::string request,
                                 run_state& state) {
    auto opened = [] {};
    auto frame = [&state](std::string_view f, clock_type::time_point now) {
        if (f.find("event: ready") != std::string_view::npos) {
            ++state.ready;
        } else if (f.find("event: chat.message") != std::string_view::npos) {
            if (const auto id = client_id_in(f)) {
                if (const auto found = state.started.find(std::string{*id});
                    found != state.started.end()) {
                    ++state.deliveries[found->first];
                    if (state.measuring) {
                        state.latencies_ms.push_back(
                            std::chrono::duration<double, std::milli>(now - found->second).count());
                    }
                }
            }
        }
    };
    if (!co_await read_event_stream(server, std::move(request), opened, frame)) {
        ++state.failed_streams;
    }
}

/// One keep-alive connection sending messages in a closed loop until `until`.
net::awaitable<void> send_loop(net::ip::tcp::endpoint server, std::vector<std::string> tokens,
                               std::vector<std::int64_t> rooms, clock_type::time_point until,
                               std::uint64_t first_id, run_state& state, int& running) {
    net::ip::tcp::socket socket{co_await net::this_coro::executor};
    if (auto [ec] = co_await socket.async_connect(server, use_tuple); ec) {
        --running;
        co_return;
    }
    socket.set_option(net::ip::tcp::no_delay{true});
    std::string buffer;
    std::array<char, 4096> chunk{};
    for (std::uint64_t n = first_id; clock_type::now() < until; ++n) {
        const auto who = n % tokens.size();
        const auto client_id = client_id_for(n);
        const auto body = R"({"client_id":")" + client_id + R"(","text":"bench message )" +
                          std::to_string(n) + "\"}";
        const auto request =
            "POST /api/v1/chat/rooms/" + std::to_string(rooms[who]) +
            "/messages HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + tokens[who] +
            "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
            "\r\n\r\n" + body;
        state.started.emplace(client_id, clock_type::now());
        if (auto [ec, w] = co_await net::async_write(socket, net::buffer(request), use_tuple); ec) {
            break;
        }
        // Read one response: header, then Content-Length bytes.
        std::size_t header_end = 0;
        while ((header_end = buffer.find("\r\n\r\n")) == std::string::npos) {
            auto [ec, r] = co_await socket.async_read_some(net::buffer(chunk), use_tuple);
            if (ec) {
                --running;
                co_return;
            }
            buffer.append(chunk.data(), r);
        }
        const auto length_at = buffer.find("Content-Length: ");
        std::size_t length = 0;
        if (length_at != std::string::npos && length_at < header_end) {
            std::from_chars(buffer.data() + length_at + 16, buffer.data() + header_end, length);
        }
        while (buffer.size() < header_end + 4 + length) {
            auto [ec, r] = co_await socket.async_read_some(net::buffer(chunk), use_tuple);
            if (ec) {
                --running;
                co_return;
            }
            buffer.append(chunk.data(), r);
        }
        const bool created = buffer.starts_with("HTTP/1.1 201");
        buffer.erase(0, header_end + 4 + length);
        if (state.measuring && created) {
            ++state.sent;
            state.acknowledged.push_back(client_id);
        } else if (state.measuring) {
            ++state.send_errors;
        }
    }
    --running;
}

}  // namespace

int main(int argc, char** argv) try {
    const auto opt = parse(argc, argv);
    net::io_context ioc{1};
    const net::ip::tcp::endpoint server{net::ip::make_address("127.0.0.1"), opt.port};
    const auto users = make_users(opt.pg_url, opt.families * 4);
    const token_maker maker{opt.jwt_secret};
    std::vector<std::string> tokens;
    std::vector<std::int64_t> rooms;
    for (const auto& u : users) {
        tokens.push_back(maker.token_for(u));
        rooms.push_back(u.family_room_id);
    }
    run_state state;
    double elapsed_s = 0;
    auto scenario = [&]() -> net::awaitable<void> {
        for (const auto& t : tokens) {
            net::co_spawn(ioc, hold_stream(server, stream_request(t), state), net::detached);
        }
        const auto deadline = clock_type::now() + std::chrono::seconds{30};
        while (state.ready + state.failed_streams < static_cast<int>(tokens.size()) &&
               clock_type::now() < deadline) {
            co_await sleep_for(std::chrono::milliseconds{20});
        }
        // Senders split the members between them; a short warm-up first.
        const auto warm_up = std::chrono::seconds{1};
        const auto until = clock_type::now() + warm_up + std::chrono::seconds{opt.seconds};
        int running = 0;
        for (int s = 0; s < opt.senders; ++s) {
            std::vector<std::string> mine;
            std::vector<std::int64_t> mine_rooms;
            for (auto u = static_cast<std::size_t>(s); u < tokens.size();
                 u += static_cast<std::size_t>(opt.senders)) {
                mine.push_back(tokens[u]);
                mine_rooms.push_back(rooms[u]);
            }
            ++running;
            net::co_spawn(ioc,
                          send_loop(server, std::move(mine), std::move(mine_rooms), until,
                                    static_cast<std::uint64_t>(s) << 40U, state, running),
                          net::detached);
        }
        co_await sleep_for(warm_up);
        state.measuring = true;
        const auto started = clock_type::now();
        // NOLINTNEXTLINE(bugprone-infinite-loop): the send loops decrement it
        while (running > 0) {
            co_await sleep_for(std::chrono::milliseconds{10});
        }
        elapsed_s = std::chrono::duration<double>(clock_type::now() - started).count();
        co_await sleep_for(std::chrono::seconds{2});  // the last deliveries
        state.measuring = false;
    };
    run_until_done(ioc, scenario());
    std::int64_t delivered = 0;
    for (const auto& id : state.acknowledged) {
        if (const auto found = state.deliveries.find(id); found != state.deliveries.end()) {
            delivered += found->second;
        }
    }
    std::cout << "streams=" << state.ready << " families=" << opt.families
              << " senders=" << opt.senders << " sent=" << state.sent
              << " send_errors=" << state.send_errors << " messages_per_s="
              << (elapsed_s > 0 ? static_cast<double>(state.sent) / elapsed_s : 0)
              << " deliveries=" << delivered << " expected_deliveries=" << state.sent * 3
              << " p50_ms=" << percentile(state.latencies_ms, 0.50)
              << " p99_ms=" << percentile(state.latencies_ms, 0.99) << "\n";
    return 0;
} catch (const std::exception& e) {
    std::cerr << "chat_bench: " << e.what() << "\n";
    return 1;
}
