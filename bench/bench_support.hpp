// What the bench programs share: users made straight in PostgreSQL (families of four, each
// with its family chat room), access tokens signed with the server's key, the server's
// memory, and small coroutine helpers.
#pragma once

#include <algorithm>
#include <array>
#include <chrono>
#include <exception>
#include <fstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <pqxx/pqxx>

#include "poki/auth/jwt.hpp"
#include "poki/core/crypto.hpp"

namespace poki::bench {

namespace net = boost::asio;
using clock_type = std::chrono::steady_clock;
inline constexpr auto use_tuple = net::as_tuple(net::use_awaitable);

/// The server a bench program loads: --port, --pg (its database, where users are made) and
/// --jwt-secret (to sign tokens as the server would).
struct server_options {
    std::uint16_t port = 0;
    std::string pg_url;
    std::string jwt_secret;

    /// Takes one of the three; false for any other option.
    bool take(std::string_view key, const std::string& value) {
        if (key == "--port") {
            port = static_cast<std::uint16_t>(std::stoi(value));
        } else if (key == "--pg") {
            pg_url = value;
        } else if (key == "--jwt-secret") {
            jwt_secret = value;
        } else {
            return false;
        }
        return true;
    }
};

/// Reads `--name value` pairs, each through `take(name, value)`, which says whether it knew
/// the name; an unknown one stops the program.
template <class Take>
void read_options(int argc, char** argv, Take take) {
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string_view key{argv[i]};
        if (!take(key, std::string{argv[i + 1]})) {
            throw std::runtime_error{"unknown option " + std::string{key}};
        }
    }
}

struct user {
    std::int64_t id = 0;
    std::int64_t family_id = 0;
    std::int64_t family_room_id = 0;
};

/// N users in families of four (children, so no e-mail), each family with its chat room.
inline std::vector<user> make_users(const std::string& url, int n) {
    pqxx::connection c{url};
    pqxx::work tx{c};
    const auto tag = "bench-" + crypto::base64url_encode(crypto::random_bytes(6));
    const auto rows = tx.exec_params(
        "WITH f AS (INSERT INTO families (name) SELECT 'bench' FROM generate_series(1, ($1 + 3) / "
        "4)"
        "   RETURNING id),"
        " rooms AS (INSERT INTO chat_rooms (family_id, kind) SELECT id, 'family' FROM f"
        "   RETURNING id, family_id),"
        " numbered AS (SELECT f.id, rooms.id AS room, row_number() OVER (ORDER BY f.id) - 1 AS i"
        "   FROM f JOIN rooms ON rooms.family_id = f.id),"
        " made AS (INSERT INTO users (family_id, role, login, display_name, avatar_color,"
        "   password_hash) SELECT numbered.id, 'child', $2 || '-' || g, 'bench', '#ffd54f', 'x'"
        "   FROM generate_series(0, $1 - 1) g JOIN numbered ON numbered.i = g / 4"
        "   RETURNING id, family_id)"
        " SELECT made.id, made.family_id, numbered.room FROM made"
        " JOIN numbered ON numbered.id = made.family_id ORDER BY made.id",
        n, tag);
    tx.commit();
    std::vector<user> out;
    out.reserve(rows.size());
    for (const auto& r : rows) {
        out.push_back({r[0].as<std::int64_t>(), r[1].as<std::int64_t>(), r[2].as<std::int64_t>()});
    }
    return out;
}

/// Signs access tokens as the server would (the bench knows its auth.jwt_secret).
class token_maker {
  public:
    explicit token_maker(const std::string& secret) : codec_{config_for(secret)} {}

    [[nodiscard]] std::string token_for(const user& u, role r = role::child) const {
        const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
        return codec_.sign({principal{u.id, u.family_id, r}, now, now + 7200});
    }

  private:
    static auth_config config_for(const std::string& secret) {
        auth_config cfg;
        cfg.jwt_secret = secret;
        return cfg;
    }
    auth::jwt_codec codec_;
};

inline std::string stream_request(const std::string& token) {
    return "GET /api/v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + token +
           "\r\n\r\n";
}

/// Resident memory of a process, from /proc.
inline long rss_kib(int pid) {
    std::ifstream in{"/proc/" + std::to_string(pid) + "/status"};
    std::string line;
    while (std::getline(in, line)) {
        if (line.starts_with("VmRSS:")) {
            return std::stol(line.substr(6));
        }
    }
    return 0;
}

inline net::awaitable<void> sleep_for(std::chrono::milliseconds d) {
    net::steady_timer t{co_await net::this_coro::executor, d};
    co_await t.async_wait(net::use_awaitable);
}

/// Opens an event stream and reads it until the server closes it: `on_open()` once the
/// 200 header is in, then `on_frame(frame, received_at)` for every event or comment block.
/// False when the stream could not be opened.
template <class OnOpen, class OnFrame>
net::awaitable<bool> read_event_stream(net::ip::tcp::endpoint server, std::string request,
                                       OnOpen on_open, OnFrame on_frame) {
    net::ip::tcp::socket socket{co_await net::this_coro::executor};
    if (auto [ec] = co_await socket.async_connect(server, use_tuple); ec) {
        co_return false;
    }
    if (auto [ec, n] = co_await net::async_write(socket, net::buffer(request), use_tuple); ec) {
        co_return false;
    }
    std::string pending;
    std::array<char, 8192> chunk{};
    bool open = false;
    while (true) {
        auto [ec, n] = co_await socket.async_read_some(net::buffer(chunk), use_tuple);
        if (ec) {
            co_return open;
        }
        const auto now = clock_type::now();
        pending.append(chunk.data(), n);
        if (!open) {
            const auto end = pending.find("\r\n\r\n");
            if (end == std::string::npos) {
                continue;
            }
            if (!pending.starts_with("HTTP/1.1 200")) {
                co_return false;
            }
            open = true;
            pending.erase(0, end + 4);
            on_open();
        }
        std::size_t end = 0;
        while ((end = pending.find("\n\n")) != std::string::npos) {
            on_frame(std::string_view{pending.data(), end}, now);
            pending.erase(0, end + 2);
        }
    }
}

/// Runs `scenario` on `ioc` (this thread) until it completes; rethrows what it threw.
inline void run_until_done(net::io_context& ioc, net::awaitable<void> scenario) {
    bool finished = false;
    std::exception_ptr failure;
    net::co_spawn(ioc, std::move(scenario), [&](const std::exception_ptr& e) {
        finished = true;
        failure = e;
    });
    while (!finished) {
        ioc.run_one_for(std::chrono::milliseconds{50});
    }
    if (failure) {
        std::rethrow_exception(failure);
    }
}

inline double percentile(std::vector<double>& v, double p) {
    if (v.empty()) {
        return 0;
    }
    const auto at = static_cast<std::size_t>(p * static_cast<double>(v.size() - 1));
    std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(at), v.end());
    return v[at];
}

}  // namespace poki::bench
