// The real binary attacked by class: every route of the router walked with bodies that once
// answered 500 or were stored cut short, concurrent bursts against every limiter, poisoned
// chat text among other families' sends, forged client addresses, oversized header blocks,
// stream hoarding, missing signing keys, and random bytes on the request path.
#include <fstream>
#include <future>
#include <random>
#include <regex>
#include <set>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <gtest/gtest.h>
#include <pqxx/pqxx>

#include "support/family_api.hpp"
#include "support/sse_client.hpp"

namespace poki::test {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

/// `poki routes` of the binary under test: (method, path template).
std::vector<std::pair<std::string, std::string>> route_table() {
    const auto dir = temp_dir("poki-routes");
    const auto out = dir / "routes.txt";
    {
        child_process routes{
            POKI_TEST_BINARY, {"routes"}, {{"POKI_AUTH_JWT_SECRET", std::string(32, 'r')}}, out};
        EXPECT_EQ(routes.wait(seconds{20}), 0);
    }
    std::ifstream in{out};
    std::vector<std::pair<std::string, std::string>> table;
    std::string method;
    std::string path;
    while (in >> method >> path) {
        table.emplace_back(method, path);
    }
    std::filesystem::remove_all(dir);
    return table;
}

/// The template with every parameter filled: integers with a number, others with a word.
std::string concrete(const std::string& path_template) {
    static const std::regex int_param{R"(\{[a-z_]+:int\})"};
    static const std::regex any_param{R"(\{[a-z_]+\})"};
    return std::regex_replace(std::regex_replace(path_template, int_param, "1"), any_param,
                              "probe");
}

/// Runs `n` requests at once (each on a connection of its own); their statuses.
std::vector<int> burst(int n, const std::function<http_reply(int)>& send) {
    std::vector<std::future<http_reply>> replies;
    replies.reserve(static_cast<std::size_t>(n));
    for (int i = 0; i < n; ++i) {
        replies.push_back(std::async(std::launch::async, send, i));
    }
    std::vector<int> statuses;
    statuses.reserve(replies.size());
    for (auto& r : replies) {
        statuses.push_back(r.get().status);
    }
    return statuses;
}

int count_of(const std::vector<int>& statuses, int status) {
    return static_cast<int>(std::count(statuses.begin(), statuses.end(), status));
}

std::map<std::string, std::string> from_address(const std::string& address,
                                                std::map<std::string, std::string> h = {}) {
    h["X-Forwarded-For"] = address;
    return h;
}

/// A server behind a trusted "proxy" (the test itself, on 127.0.0.1), with tight limits, so
/// every burst can come from an address of its own.
struct proxied_server {
    own_redis redis;
    running_server server{
        {.redis_port = redis.port(),
         .extra = {{"http", {{"trusted_proxies", "127.0.0.1"}}},
                   {"auth", {{"login_attempts_per_account", 4}, {"login_attempts_per_address", 6}}},
                   {"diagnostics", {{"reports_per_address", 5}, {"reports_per_account", 3}}},
                   {"events", {{"max_streams_per_user", 2}}}}}};
};

TEST(HostileInput, EveryRouteRefusesUnstorableJsonByNameBeforeAnythingElse) {
    family_server f;
    const auto mom = parent(f.server);
    const auto table = route_table();
    ASSERT_GE(table.size(), 45U) << "the route table was not read";
    struct probe {
        std::string body;
        std::string field;
    };
    const std::vector<probe> probes{
        {R"({"probe": "a\u0000b"})", "probe"},
        {R"({"probe": 1e400})", "probe"},
        {R"([-1e999])", "[0]"},
        {R"({"deep": {"list": [0, "\u0000"]}})", "deep.list[1]"},
        {R"({"display_name": "x", "display_name": "y"})", "display_name"},
    };
    std::size_t walked = 0;
    for (const auto& [method, path] : table) {
        for (const bool signed_in : {false, true}) {
            for (const auto& p : probes) {
                const auto r = f.server.request(
                    method, concrete(path), p.body,
                    signed_in ? bearer(mom.access) : std::map<std::string, std::string>{});
                SCOPED_TRACE(testing::Message() << method << ' ' << path << ' ' << p.body);
                expect_problem(r, 422, "validation_failed");
                const auto errors = json_of(r)["errors"];
                ASSERT_EQ(errors.size(), 1U) << r.body;
                EXPECT_EQ(errors[0]["field"], p.field);
                ++walked;
            }
        }
    }
    EXPECT_EQ(walked, table.size() * 2 * probes.size());
    // The query string, the same way: what cannot be decoded is refused, never ignored.
    for (const auto& [method, path] : table) {
        for (const std::string query : {"?probe=%00", "?q=%C3%28", "?limit=5&x=%zz"}) {
            const auto r = f.server.request(method, concrete(path) + query, {}, bearer(mom.access));
            SCOPED_TRACE(testing::Message() << method << ' ' << path << query);
            expect_problem(r, 400, "bad_request");
        }
    }
    // A path parameter that is not storable text matches nothing.
    expect_problem(f.server.request("PUT", "/api/v1/devices/tok%00en", R"({"platform":"ios"})",
                                    bearer(mom.access)),
                   404, "not_found");
    expect_problem(f.server.request("GET", "/api/v1/gifts/%FF", {}, bearer(mom.access)), 404,
                   "not_found");
    EXPECT_EQ(f.server.request("GET", "/healthz").status, 200);
    EXPECT_EQ(f.server.log().find("\"status\":500"), std::string::npos);
}

TEST(HostileInput, NulInAFieldIsNeverStoredCutShort) {
    family_server f;
    const auto mom = parent(f.server);
    const auto kid = child(f.server, mom);
    const std::string nul = R"(\u0000)";
    const auto family = f.server.request(
        "PATCH", "/api/v1/family", R"({"name": "Kim)" + nul + R"(family"})", bearer(mom.access));
    expect_problem(family, 422, "validation_failed");
    const auto name =
        f.server.request("PATCH", "/api/v1/family/members/" + std::to_string(kid.id),
                         R"({"display_name": "하)" + nul + R"(늘"})", bearer(mom.access));
    expect_problem(name, 422, "validation_failed");
    EXPECT_EQ(json_of(name)["errors"][0]["field"], "display_name");
    const auto login =
        f.server.request("POST", "/api/v1/auth/login", R"({"email": "a@b.c", "password": 1e400})");
    expect_problem(login, 422, "validation_failed");
    const auto stored = json_of(f.server.request("GET", "/api/v1/family", {}, bearer(mom.access)));
    EXPECT_EQ(stored["name"].get<std::string>().find('\0'), std::string::npos);
}

TEST(HostileInput, APoisonedChatSendFailsAloneAndNoTextReachesTheLog) {
    family_server f;
    const auto mom_a = parent(f.server);
    const auto kid_a = child(f.server, mom_a);
    const auto mom_b = parent(f.server);
    const auto room_of = [&](const member_session& who) {
        const auto rooms =
            json_of(f.server.request("GET", "/api/v1/chat/rooms", {}, bearer(who.access)));
        return rooms["items"][0]["id"].get<std::int64_t>();
    };
    const auto room_a = room_of(mom_a);
    const auto room_b = room_of(mom_b);
    std::atomic<int> bad_answers{0};
    std::atomic<int> poison_refused{0};
    const auto sender = [&](const member_session& who, std::int64_t room, int first, int n,
                            bool poison) {
        for (int i = first; i < first + n; ++i) {
            const bool bad = poison && i % 2 == 0;
            const std::string text =
                bad ? R"(secret-poison-\u0000)"
                    : "secret-text-" + std::to_string(who.id) + "-" + std::to_string(i);
            const auto r =
                f.server.request("POST", "/api/v1/chat/rooms/" + std::to_string(room) + "/messages",
                                 R"({"client_id": ")" + std::string{"00000000-0000-4000-8000-"} +
                                     (std::to_string(100000000000 + who.id * 1000 + i)) +
                                     R"(", "text": ")" + text + R"("})",
                                 bearer(who.access));
            if (bad) {
                poison_refused += r.status == 422 ? 1 : 0;
            } else if (r.status != 201) {
                ++bad_answers;
            }
        }
    };
    std::vector<std::thread> threads;
    threads.emplace_back(sender, mom_a, room_a, 0, 30, false);
    threads.emplace_back(sender, kid_a, room_a, 0, 30, true);
    threads.emplace_back(sender, mom_b, room_b, 0, 30, false);
    threads.emplace_back(sender, mom_b, room_b, 500, 30, false);
    for (auto& t : threads) {
        t.join();
    }
    EXPECT_EQ(bad_answers.load(), 0);
    EXPECT_EQ(poison_refused.load(), 15);
    pqxx::connection c{required_env("TEST_POKI_PG_URL")};
    pqxx::nontransaction tx{c};
    const auto stored = [&](std::int64_t room) {
        return tx.exec_params1("SELECT count(*) FROM chat_messages WHERE room_id = $1", room)[0]
            .as<int>();
    };
    EXPECT_EQ(stored(room_a), 45);
    EXPECT_EQ(stored(room_b), 60);
    const auto log = f.server.log();
    EXPECT_EQ(log.find("secret-"), std::string::npos);
}

TEST(HostileInput, LinkCodeLockoutHoldsForParallelGuesses) {
    proxied_server p;
    const auto mom = parent(p.server);
    const auto code = link_code(p.server, mom, "child");
    const auto statuses = burst(30, [&](int i) {
        const nlohmann::json body{{"code", "WRONG" + std::to_string(100 + i)},
                                  {"display_name", "x"},
                                  {"login", "guess" + std::to_string(i)},
                                  {"password", "grape grape"}};
        return p.server.request("POST", "/api/v1/auth/join", body.dump(),
                                from_address("198.51.100.30"));
    });
    EXPECT_EQ(count_of(statuses, 422), 5);
    EXPECT_EQ(count_of(statuses, 429), 25);
    // Another address is not locked out by this one, and a right code still works there.
    const nlohmann::json right{{"code", code},
                               {"display_name", "하늘"},
                               {"login", "sky-" + random_suffix().substr(0, 5)},
                               {"password", "grape grape"}};
    EXPECT_EQ(
        p.server.request("POST", "/api/v1/auth/join", right.dump(), from_address("198.51.100.31"))
            .status,
        201);
}

TEST(HostileInput, LoginLimitsHoldForBurstsPerAccountAndPerAddress) {
    proxied_server p;
    const auto email = "burst-" + random_suffix() + "@example.com";
    ASSERT_EQ(
        p.server
            .request("POST", "/api/v1/auth/signup",
                     nlohmann::json{
                         {"email", email}, {"password", "correct horse"}, {"display_name", "엄마"}}
                         .dump())
            .status,
        201);
    const auto per_account = burst(20, [&](int i) {
        return p.server.request(
            "POST", "/api/v1/auth/login",
            nlohmann::json{{"email", email}, {"password", "wrong horse"}}.dump(),
            from_address("198.51.100." + std::to_string(40 + i)));
    });
    EXPECT_EQ(count_of(per_account, 401), 4);
    EXPECT_EQ(count_of(per_account, 429), 16);

    const auto per_address = burst(20, [&](int i) {
        return p.server.request(
            "POST", "/api/v1/auth/login",
            nlohmann::json{{"email", "nobody-" + std::to_string(i) + "@example.com"},
                           {"password", "wrong horse"}}
                .dump(),
            from_address("203.0.113.77"));
    });
    EXPECT_EQ(count_of(per_address, 401), 6);
    EXPECT_EQ(count_of(per_address, 429), 14);
}

TEST(HostileInput, ClientErrorReportsAreLimitedPerAddressAndAccount) {
    proxied_server p;
    const std::string report = R"({"platform":"web","app_version":"1.0","message":"boom"})";
    const auto anonymous = burst(12, [&](int) {
        return p.server.request("POST", "/api/v1/client-errors", report,
                                from_address("198.51.100.60"));
    });
    EXPECT_EQ(count_of(anonymous, 201), 5);
    EXPECT_EQ(count_of(anonymous, 429), 7);
    const auto mom = parent(p.server);
    const auto signed_in = burst(12, [&](int i) {
        return p.server.request(
            "POST", "/api/v1/client-errors", report,
            from_address("198.51.100." + std::to_string(70 + i), bearer(mom.access)));
    });
    // Each from a fresh address: the account's own limit is what holds.
    EXPECT_EQ(count_of(signed_in, 201), 3);
    EXPECT_EQ(count_of(signed_in, 429), 9);
    const auto bad_token = p.server.request("POST", "/api/v1/client-errors", report,
                                            from_address("198.51.100.99", bearer("nope")));
    EXPECT_EQ(bad_token.status, 401);
}

TEST(HostileInput, ForwardedForIsIgnoredFromUntrustedPeers) {
    family_server f;  // no trusted proxies
    const auto mom = parent(f.server);
    (void)link_code(f.server, mom, "child");
    for (int i = 0; i < 5; ++i) {
        EXPECT_EQ(
            join(f.server, "WRONGXX" + std::to_string(i), "guess-" + std::to_string(i)).status,
            422);
    }
    // A forged header does not buy a fresh address.
    const nlohmann::json body{{"code", "WRONGAGN"},
                              {"display_name", "x"},
                              {"login", "forger"},
                              {"password", "grape grape"}};
    EXPECT_EQ(
        f.server.request("POST", "/api/v1/auth/join", body.dump(), from_address("203.0.113.1"))
            .status,
        429);
}

TEST(HostileInput, TheHeaderLimitHoldsForTheSumOfManySmallFields) {
    family_server f;
    std::map<std::string, std::string> many;
    for (int i = 0; i < 300; ++i) {
        many["X-Pad-" + std::to_string(1000 + i)] = std::string(60, 'h');
    }
    const auto refused = f.server.request("GET", "/healthz", {}, many);
    EXPECT_EQ(refused.status, 431);
    std::map<std::string, std::string> some;
    for (int i = 0; i < 100; ++i) {
        some["X-Pad-" + std::to_string(1000 + i)] = std::string(60, 'h');
    }
    EXPECT_EQ(f.server.request("GET", "/healthz", {}, some).status, 200);
}

TEST(HostileInput, OneUserMayHoldOnlySoManyEventStreams) {
    proxied_server p;
    const auto mom = parent(p.server);
    const auto open = [&] {
        return std::make_unique<sse_client>(p.server.port(), "/api/v1/events", bearer(mom.access));
    };
    auto first = open();
    auto second = open();
    EXPECT_EQ(first->status(), 200);
    EXPECT_EQ(second->status(), 200);
    auto third = open();
    EXPECT_EQ(third->status(), 429);
    const auto problem = nlohmann::json::parse(third->error_body(seconds{5}));
    EXPECT_EQ(problem["code"], "too_many_streams");
    third.reset();
    first.reset();  // closing one frees its place
    EXPECT_TRUE(eventually([&] { return open()->status() == 200; }, seconds{5}, milliseconds{100}));
}

TEST(HostileInput, TheServerRefusesToStartWithoutASigningKeyOutsideDevelopment) {
    const auto dir = temp_dir("poki-nokey");
    const auto config_path = dir / "poki.json";
    const auto port = free_port();
    const auto write_config = [&](const nlohmann::json& extra) {
        nlohmann::json cfg{
            {"http", {{"port", port}}},
            {"database",
             {{"url", required_env("TEST_POKI_PG_URL")}, {"migrations_dir", POKI_TEST_SQL_DIR}}},
            {"redis", {{"port", std::stoi(required_env("TEST_POKI_REDIS_PORT"))}}}};
        cfg.merge_patch(extra);
        std::ofstream{config_path} << cfg.dump();
    };
    write_config({});
    {
        child_process server{
            POKI_TEST_BINARY, {"serve", "--config", config_path.string()}, {}, dir / "refused.log"};
        EXPECT_EQ(server.wait(seconds{20}), 2);
    }
    std::ifstream refused{dir / "refused.log"};
    const std::string said{std::istreambuf_iterator<char>{refused}, {}};
    EXPECT_NE(said.find("auth.jwt_secret"), std::string::npos) << said;

    std::ofstream{dir / "key"} << std::string(40, 'k') << "\n";
    write_config({{"auth", {{"jwt_secret_file", (dir / "key").string()}}}});
    {
        child_process server{
            POKI_TEST_BINARY, {"serve", "--config", config_path.string()}, {}, dir / "file.log"};
        EXPECT_TRUE(wait_until_healthy(port, seconds{20}));
    }
    write_config({{"mode", "development"}});
    {
        child_process server{
            POKI_TEST_BINARY, {"serve", "--config", config_path.string()}, {}, dir / "dev.log"};
        EXPECT_TRUE(wait_until_healthy(port, seconds{20}));
    }
    std::filesystem::remove_all(dir);
}

/// Random bytes on the request path, bounded: mutated requests over raw sockets. Every
/// answer is a well-formed HTTP response below 500, and the server stays healthy.
TEST(HostileInput, RandomRequestBytesNeverBreakTheServer) {
    family_server f;
    const auto mom = parent(f.server);
    const std::vector<std::string> seeds{
        "POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        "Content-Length: 42\r\n\r\n{\"email\":\"a@b.c\",\"password\":\"12345678901\"}",
        "PATCH /api/v1/family HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + mom.access +
            "\r\nContent-Type: application/json\r\nContent-Length: 16\r\n\r\n{\"name\":\"Kim's\"}",
        "GET /api/v1/gifts?q=%ED%8F%AC&limit=5 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " +
            mom.access + "\r\n\r\n",
        "POST /api/v1/client-errors HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
        "Content-Type: application/json\r\n\r\n5\r\n{\"a\":\r\n2\r\n1}\r\n0\r\n\r\n"};
    const std::vector<std::string> tokens{
        "\r\n", std::string(1, '\0'),  "%00", "%2e%2e/", "1e400", "\\u0000", ":", " ",
        "\xFF", "99999999999999999999"};
    std::mt19937 random{7};
    int answered = 0;
    const auto deadline = std::chrono::steady_clock::now() + seconds{20};
    for (int round = 0; round < 400 && std::chrono::steady_clock::now() < deadline; ++round) {
        auto bytes = seeds[random() % seeds.size()];
        for (int e = 0; e < 1 + static_cast<int>(random() % 3); ++e) {
            const auto at = random() % bytes.size();
            switch (random() % 3) {
                case 0:
                    bytes[at] = static_cast<char>(random() % 256);
                    break;
                case 1:
                    bytes.erase(at, 1 + random() % 4);
                    break;
                default:
                    bytes.insert(at, tokens[random() % tokens.size()]);
                    break;
            }
        }
        net::io_context ioc;
        net::ip::tcp::socket socket{ioc};
        socket.connect({net::ip::make_address("127.0.0.1"), f.server.port()});
        boost::system::error_code ec;
        net::write(socket, net::buffer(bytes), ec);
        socket.shutdown(net::ip::tcp::socket::shutdown_send, ec);
        std::string reply;
        std::array<char, 4096> chunk{};
        while (true) {
            const auto n = socket.read_some(net::buffer(chunk), ec);
            reply.append(chunk.data(), n);
            if (ec) {
                break;
            }
        }
        if (reply.empty()) {
            continue;  // a request cut before its end gets no answer, by design
        }
        ++answered;
        ASSERT_TRUE(reply.starts_with("HTTP/1.1 ")) << reply.substr(0, 100);
        const int status = std::stoi(reply.substr(9, 3));
        EXPECT_LT(status, 500) << bytes;
    }
    EXPECT_GT(answered, 50);
    EXPECT_EQ(f.server.request("GET", "/healthz").status, 200);
    EXPECT_EQ(f.server.log().find("\"status\":500"), std::string::npos);
}

}  // namespace
}  // namespace poki::test
