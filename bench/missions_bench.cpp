// Missions, boards and gifts under load, over HTTP on loopback.
//   --mode read   a read-mostly mix from parents: board 40%, missions list 30%, gift search
//                 25% (Korean and English words, a typo), a grape award 5%
//   --mode storm  every seeded mission is submitted; clients approve them, each mission by
//                 two clients at once (as two parents racing), until all are approved
// Afterwards both check in PostgreSQL that every child's balance is the sum of their
// ledger and (storm) that each mission paid exactly once. Prints key=value pairs.
#include <atomic>
#include <iostream>
#include <random>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include "bench_support.hpp"

namespace {

using namespace poki::bench;  // NOLINT(google-build-using-namespace): a program, not a header
using poki::role;

struct options : server_options {
    std::string mode = "read";
    int families = 100;
    int clients = 64;
    int seconds = 10;
    int missions_per_child = 20;
};

options parse(int argc, char** argv) {
    options o;
    read_options(argc, argv, [&o](std::string_view key, const std::string& value) {
        if (key == "--mode") {
            o.mode = value;
        } else if (key == "--families") {
            o.families = std::stoi(value);
        } else if (key == "--clients") {
            o.clients = std::stoi(value);
        } else if (key == "--seconds") {
            o.seconds = std::stoi(value);
        } else if (key == "--missions-per-child") {
            o.missions_per_child = std::stoi(value);
        } else {
            return o.take(key, value);
        }
        return true;
    });
    return o;
}

struct family {
    user parent;
    std::array<std::int64_t, 2> children{};
    std::string token;
};

/// Families of one parent and two children, each child with `missions` missions in
/// `status` and ten grapes on the ledger.
std::vector<family> seed(const std::string& url, int families, int missions,
                         const std::string& status) {
    pqxx::connection c{url};
    pqxx::work tx{c};
    const auto tag = "mb-" + poki::crypto::base64url_encode(poki::crypto::random_bytes(6));
    const auto rows = tx.exec_params(
        "WITH f AS (INSERT INTO families (name) SELECT 'bench' FROM generate_series(1, $1)"
        "   RETURNING id),"
        " numbered AS (SELECT id, row_number() OVER (ORDER BY id) AS i FROM f),"
        " made AS (INSERT INTO users (family_id, role, login, display_name, avatar_color,"
        "   password_hash) SELECT n.id, CASE WHEN k = 0 THEN 'parent' ELSE 'child' END,"
        "   $2 || '-' || n.i || '-' || k, 'bench', '#ffd54f', 'x'"
        "   FROM numbered n CROSS JOIN generate_series(0, 2) k RETURNING id, family_id, role)"
        " SELECT family_id, array_agg(id ORDER BY role DESC, id)::text FROM made"
        " GROUP BY family_id ORDER BY family_id",
        families, tag);
    std::vector<family> out;
    for (const auto& r : rows) {
        family f;
        f.parent.family_id = r[0].as<std::int64_t>();
        // "{parent,child,child}": 'parent' sorts after 'child' descending first.
        auto ids = r[1].as<std::string>();
        ids = ids.substr(1, ids.size() - 2);
        const auto first = ids.find(',');
        const auto second = ids.find(',', first + 1);
        f.parent.id = std::stoll(ids.substr(0, first));
        f.children = {std::stoll(ids.substr(first + 1, second - first - 1)),
                      std::stoll(ids.substr(second + 1))};
        out.push_back(f);
    }
    tx.exec_params(
        "INSERT INTO missions (family_id, child_id, created_by, title, reward, status,"
        " submitted_at) SELECT u.family_id, u.id, p.id, '방 정리 ' || g, 1 + g % 3, $2,"
        " CASE WHEN $2 = 'submitted' THEN now() END"
        " FROM users u JOIN users p ON p.family_id = u.family_id AND p.role = 'parent'"
        " CROSS JOIN generate_series(1, $1) g WHERE u.role = 'child' AND u.login LIKE $3",
        missions, status, tag + "-%");
    tx.exec_params(
        "INSERT INTO grape_ledger (child_id, family_id, kind, amount, balance, reason)"
        " SELECT id, family_id, 'award', 10, 10, 'seed' FROM users"
        " WHERE role = 'child' AND login LIKE $1",
        tag + "-%");
    tx.commit();
    return out;
}

struct reply {
    int status = 0;
    bool ok = false;  ///< the exchange completed
};

/// One request on a kept-alive connection; reads the answer by Content-Length.
net::awaitable<reply> exchange(net::ip::tcp::socket& socket, const std::string& request,
                               std::string& buffer) {
    if (auto [ec, n] = co_await net::async_write(socket, net::buffer(request), use_tuple); ec) {
        co_return reply{};
    }
    std::array<char, 16384> chunk{};
    std::size_t header_end = std::string::npos;
    while ((header_end = buffer.find("\r\n\r\n")) == std::string::npos) {
        auto [ec, n] = co_await socket.async_read_some(net::buffer(chunk), use_tuple);
        if (ec) {
            co_return reply{};
        }
        buffer.append(chunk.data(), n);
    }
    std::size_t length = 0;
    const auto at = buffer.find("Content-Length: ");
    if (at != std::string::npos && at < header_end) {
        length = std::stoul(buffer.substr(at + 16));
    }
    while (buffer.size() < header_end + 4 + length) {
        auto [ec, n] = co_await socket.async_read_some(net::buffer(chunk), use_tuple);
        if (ec) {
            co_return reply{};
        }
        buffer.append(chunk.data(), n);
    }
    const reply r{std::stoi(buffer.substr(9, 3)), true};
    buffer.erase(0, header_end + 4 + length);
    co_return r;
}

std::string get(const std::string& target, const std::string& token) {
    return "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + token +
           "\r\n\r\n";
}

std::string post(const std::string& target, const std::string& token, const std::string& body) {
    return "POST " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + token +
           "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
           "\r\n\r\n" + body;
}

struct run_state {
    std::vector<double> latencies_ms;
    std::uint64_t requests = 0;
    std::uint64_t errors = 0;  ///< non-2xx or broken exchanges
    bool measuring = false;
    int running = 0;
};

const std::array<std::string, 8> search_terms{"%EA%B3%B5%EB%A3%A1",  // 공룡
                                              "lego",
                                              "%EB%A0%88%EA%B3%A0",  // 레고
                                              "dinosuar",            // a typo
                                              "%EC%9D%B8%ED%98%95",  // 인형
                                              "board%20game",
                                              "%EC%9E%90%EC%A0%84%EA%B1%B0",  // 자전거
                                              "pokemon"};

net::awaitable<void> read_loop(net::ip::tcp::endpoint server, std::vector<family> families,
                               clock_type::time_point until, unsigned seed_value,
                               run_state& state) {
    net::ip::tcp::socket socket{co_await net::this_coro::executor};
    if (auto [ec] = co_await socket.async_connect(server, use_tuple); ec) {
        ++state.errors;
        --state.running;
        co_return;
    }
    std::mt19937 random{seed_value};
    std::string buffer;
    while (clock_type::now() < until) {
        const auto& f = families[random() % families.size()];
        const auto kid = std::to_string(f.children.at(random() % 2));
        const auto roll = random() % 100;
        std::string request;
        if (roll < 40) {
            request = get("/api/v1/children/" + kid + "/board", f.token);
        } else if (roll < 70) {
            request = get("/api/v1/missions?limit=20&child_id=" + kid, f.token);
        } else if (roll < 95) {
            request =
                get("/api/v1/gifts?limit=20&q=" + search_terms.at(random() % search_terms.size()),
                    f.token);
        } else {
            request = post("/api/v1/children/" + kid + "/grapes", f.token,
                           R"({"amount":1,"reason":"bench"})");
        }
        const auto started = clock_type::now();
        const auto r = co_await exchange(socket, request, buffer);
        if (state.measuring) {
            ++state.requests;
            state.latencies_ms.push_back(
                std::chrono::duration<double, std::milli>(clock_type::now() - started).count());
            if (!r.ok || r.status >= 300) {
                ++state.errors;
            }
        }
        if (!r.ok) {
            break;
        }
    }
    --state.running;
}

struct approval {
    std::int64_t mission_id = 0;
    std::string token;
};

net::awaitable<void> approve_loop(net::ip::tcp::endpoint server, const std::vector<approval>& work,
                                  std::size_t& next, run_state& state) {
    net::ip::tcp::socket socket{co_await net::this_coro::executor};
    if (auto [ec] = co_await socket.async_connect(server, use_tuple); ec) {
        ++state.errors;
        --state.running;
        co_return;
    }
    std::string buffer;
    while (next < work.size()) {
        const auto& job = work[next++];
        const auto started = clock_type::now();
        const auto r = co_await exchange(
            socket,
            post("/api/v1/missions/" + std::to_string(job.mission_id) + "/approve", job.token, ""),
            buffer);
        ++state.requests;
        state.latencies_ms.push_back(
            std::chrono::duration<double, std::milli>(clock_type::now() - started).count());
        if (!r.ok || r.status != 200) {
            ++state.errors;
        }
        if (!r.ok) {
            break;
        }
    }
    --state.running;
}

/// Children whose balance is not the sum of their ledger, and (storm) missions paid other
/// than once.
std::pair<std::int64_t, std::int64_t> check(const std::string& url) {
    pqxx::connection c{url};
    pqxx::read_transaction tx{c};
    const auto unbalanced = tx.exec1(
                                  "SELECT count(*) FROM (SELECT child_id, sum(amount) AS total,"
                                  " (array_agg(balance ORDER BY id DESC))[1] AS last FROM "
                                  "grape_ledger GROUP BY child_id) s"
                                  " WHERE total <> last OR last < 0")[0]
                                .as<std::int64_t>();
    const auto wrongly_paid =
        tx.exec1(
              "SELECT count(*) FROM missions m WHERE m.status = 'approved' AND"
              " (SELECT count(*) FROM grape_ledger l WHERE l.mission_id = m.id) <> 1")[0]
            .as<std::int64_t>();
    return {unbalanced, wrongly_paid};
}

}  // namespace

int main(int argc, char** argv) try {
    const auto opt = parse(argc, argv);
    const bool storm = opt.mode == "storm";
    net::io_context ioc{1};
    const net::ip::tcp::endpoint server{net::ip::make_address("127.0.0.1"), opt.port};
    auto families = seed(opt.pg_url, opt.families, storm ? opt.missions_per_child : 20,
                         storm ? "submitted" : "assigned");
    const token_maker maker{opt.jwt_secret};
    for (auto& f : families) {
        f.token = maker.token_for(f.parent, role::parent);
    }
    std::vector<approval> work;
    if (storm) {
        pqxx::connection c{opt.pg_url};
        pqxx::read_transaction tx{c};
        std::map<std::int64_t, std::string> token_of;
        for (const auto& f : families) {
            token_of[f.parent.family_id] = f.token;
        }
        for (const auto& r : tx.exec("SELECT id, family_id FROM missions WHERE status = 'submitted'"
                                     " ORDER BY random()")) {
            const auto it = token_of.find(r[1].as<std::int64_t>());
            if (it != token_of.end()) {
                // Twice in a row: two clients take the same mission at the same moment.
                work.push_back({r[0].as<std::int64_t>(), it->second});
                work.push_back({r[0].as<std::int64_t>(), it->second});
            }
        }
    }
    run_state state;
    double elapsed_s = 0;
    std::size_t next = 0;
    auto scenario = [&]() -> net::awaitable<void> {
        const auto warm_up = std::chrono::seconds{storm ? 0 : 1};
        const auto until = clock_type::now() + warm_up + std::chrono::seconds{opt.seconds};
        state.running = opt.clients;
        for (int i = 0; i < opt.clients; ++i) {
            if (storm) {
                net::co_spawn(ioc, approve_loop(server, work, next, state), net::detached);
            } else {
                net::co_spawn(ioc,
                              read_loop(server, families, until, static_cast<unsigned>(i), state),
                              net::detached);
            }
        }
        co_await sleep_for(warm_up);
        state.measuring = true;
        const auto started = clock_type::now();
        // NOLINTNEXTLINE(bugprone-infinite-loop): the client loops decrement it
        while (state.running > 0) {
            co_await sleep_for(std::chrono::milliseconds{10});
        }
        elapsed_s = std::chrono::duration<double>(clock_type::now() - started).count();
    };
    run_until_done(ioc, scenario());
    const auto [unbalanced, wrongly_paid] = check(opt.pg_url);
    std::cout << "mode=" << opt.mode << " clients=" << opt.clients << " requests=" << state.requests
              << " errors=" << state.errors << " requests_per_s="
              << (elapsed_s > 0 ? static_cast<double>(state.requests) / elapsed_s : 0)
              << " missions=" << work.size() / 2 << " missions_per_s="
              << (elapsed_s > 0 ? static_cast<double>(work.size() / 2) / elapsed_s : 0)
              << " p50_ms=" << percentile(state.latencies_ms, 0.50)
              << " p99_ms=" << percentile(state.latencies_ms, 0.99)
              << " unbalanced_children=" << unbalanced << " missions_paid_not_once=" << wrongly_paid
              << "\n";
    return unbalanced == 0 && wrongly_paid == 0 ? 0 : 2;
} catch (const std::exception& e) {
    std::cerr << "missions_bench: " << e.what() << "\n";
    return 1;
}
