// The WebSocket on the real binary: who may connect, what malformed input gets, presence in
// one family across instances, a killed instance's members going offline by themselves, and
// a removed member's connections (and those of one who logs out everywhere) closing everywhere.
#include <csignal>

#include <gtest/gtest.h>

#include "support/family_api.hpp"
#include "support/socket_api.hpp"
#include "support/sse_client.hpp"

namespace poki::test {
namespace {

using namespace std::chrono_literals;

constexpr auto wait = 5s;

nlohmann::json realtime_config(int heartbeat_s = 1, int grace_ms = 300) {
    return {
        {"presence", {{"heartbeat_s", heartbeat_s}, {"offline_grace_ms", grace_ms}}},
        {"ws",
         {{"max_message_bytes", 4096}, {"max_queued_bytes", 65536}, {"max_errors_per_minute", 5}}}};
}

const nlohmann::json* presence_of(const nlohmann::json& hello, std::int64_t user) {
    for (const auto& p : hello["presence"]) {
        if (p["user_id"] == user) {
            return &p;
        }
    }
    return nullptr;
}

/// The next presence message about `user`, skipping others.
std::optional<nlohmann::json> presence_change(ws_client& ws, std::int64_t user,
                                              std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        auto m = ws.next_of_type("presence", std::chrono::duration_cast<std::chrono::milliseconds>(
                                                 deadline - std::chrono::steady_clock::now()));
        if (!m || (*m)["user_id"] == user) {
            return m;
        }
    }
    return std::nullopt;
}

/// A server with a Redis of its own (presence keys and lockouts stay in the test).
struct realtime_server {
    explicit realtime_server(const nlohmann::json& extra = realtime_config())
        : server{{.redis_port = redis.port(), .extra = extra}} {}
    own_redis redis;
    running_server server;
};

struct two_instances {
    own_redis redis;
    running_server a{{.redis_port = redis.port(), .extra = realtime_config()}};
    running_server b{{.redis_port = redis.port(), .extra = realtime_config()}};
};

TEST(Realtime, HelloSaysWhoIsInTheFamilyAndWhoIsOnline) {
    family_server env;  // the default configuration
    const auto mom = parent(env.server);
    const auto kid = child(env.server, mom);
    auto ws = connect(env.server, mom);
    const auto hello = ws->next(wait);
    ASSERT_TRUE(hello);
    EXPECT_EQ((*hello)["type"], "hello");
    EXPECT_EQ((*hello)["user_id"], mom.id);
    EXPECT_EQ((*hello)["family_id"], mom.family_id);
    EXPECT_EQ((*hello)["role"], "parent");
    ASSERT_EQ((*hello)["presence"].size(), 2U) << hello->dump();
    ASSERT_NE(presence_of(*hello, mom.id), nullptr);
    EXPECT_EQ((*presence_of(*hello, mom.id))["online"], true);
    EXPECT_EQ((*presence_of(*hello, kid.id))["online"], false);
    EXPECT_TRUE((*presence_of(*hello, kid.id))["last_seen"].is_null());
    EXPECT_FALSE(ws->header("x-request-id").empty());

    // A native app sends its access token instead of a ticket.
    ws_client native{env.server.port(), "/api/v1/ws", bearer(kid.access)};
    ASSERT_EQ(native.status(), 101) << native.refusal_body();
    EXPECT_EQ((*native.next(wait))["role"], "child");
    const auto online = presence_change(*ws, kid.id, wait);
    ASSERT_TRUE(online);
    EXPECT_EQ((*online)["online"], true);
}

TEST(Realtime, WhoMayConnect) {
    family_server env;
    const auto mom = parent(env.server);
    const auto port = env.server.port();
    // No credentials, a used ticket, a forged one.
    EXPECT_EQ(ws_client(port, "/api/v1/ws").status(), 401);
    const auto ticket = ticket_for(env.server, mom);
    EXPECT_EQ(ws_client(port, "/api/v1/ws?ticket=" + ticket).status(), 101);
    ws_client reused{port, "/api/v1/ws?ticket=" + ticket};
    EXPECT_EQ(reused.status(), 401);
    EXPECT_NE(reused.refusal_body().find("ticket_invalid"), std::string::npos);
    // Another site's page (cross-site WebSocket hijacking) is refused before the ticket is
    // spent; this server's own page is welcome.
    const auto other_site = ticket_for(env.server, mom);
    ws_client hijack{port, "/api/v1/ws?ticket=" + other_site, {{"Origin", "https://evil.example"}}};
    EXPECT_EQ(hijack.status(), 403);
    EXPECT_NE(hijack.refusal_body().find("untrusted_origin"), std::string::npos);
    ws_client own_page{port,
                       "/api/v1/ws?ticket=" + other_site,
                       {{"Origin", "http://127.0.0.1:" + std::to_string(port)}}};
    EXPECT_EQ(own_page.status(), 101) << own_page.refusal_body();
    // A plain GET is not an upgrade.
    expect_problem(env.server.request("GET", "/api/v1/ws", {}, bearer(mom.access)), 400,
                   "bad_request", "websocket_upgrade_required");
}

TEST(Realtime, MalformedAndUnknownMessagesGetAnErrorAndAbuseCloses) {
    realtime_server env{realtime_config()};
    const auto mom = parent(env.server);
    auto ws = connect(env.server, mom);
    ASSERT_TRUE(ws->next_of_type("hello", wait));

    ws->send(nlohmann::json{{"type", "ping"}, {"id", "p1"}});
    auto pong = ws->next_of_type("pong", wait);
    ASSERT_TRUE(pong);
    EXPECT_EQ(*pong, (nlohmann::json{{"type", "pong"}, {"in_reply_to", "p1"}}));

    const auto refused = [&](const std::string& text, const std::string& code) {
        ws->send_text(text);
        const auto e = ws->next_of_type("error", wait);
        EXPECT_TRUE(e) << text;
        if (!e) {
            return nlohmann::json{};
        }
        EXPECT_EQ((*e)["code"], code) << text;
        EXPECT_FALSE((*e)["detail"].get<std::string>().empty());
        return *e;
    };
    refused("{not json", "malformed_json");
    refused("[1, 2]", "not_an_object");
    refused(R"({"id": 7})", "missing_type");
    const auto unknown = refused(R"({"type": "call.nonsense", "id": 9})", "unknown_type");
    EXPECT_EQ(unknown["in_reply_to"], "9");
    // One refusal more than ws.max_errors_per_minute closes with 1008.
    refused("{}", "missing_type");
    ws->send_text("{}");
    EXPECT_TRUE(ws->wait_closed(wait));
    EXPECT_EQ(ws->close_code(), 1008);
}

TEST(Realtime, OversizedAndBinaryMessagesClose) {
    realtime_server env{realtime_config()};
    const auto mom = parent(env.server);
    auto big = connect(env.server, mom);
    ASSERT_TRUE(big->next_of_type("hello", wait));
    big->send_text(R"({"type":"ping","pad":")" + std::string(5000, 'x') + "\"}");
    EXPECT_TRUE(big->wait_closed(wait));
    EXPECT_EQ(big->close_code(), 1009);

    auto binary = connect(env.server, mom);
    ASSERT_TRUE(binary->next_of_type("hello", wait));
    binary->send_binary(std::string(16, '\x01'));
    EXPECT_TRUE(binary->wait_closed(wait));
    EXPECT_EQ(binary->close_code(), 1003);

    // The server is fine afterwards.
    auto fine = connect(env.server, mom);
    EXPECT_TRUE(fine->next_of_type("hello", wait));
}

TEST(Realtime, AReaderThatStallsIsCutOffAndOthersGoOn) {
    realtime_server env{realtime_config()};
    const auto mom = parent(env.server);
    auto stalled = std::make_unique<ws_client>(env.server.port(),
                                               "/api/v1/ws?ticket=" + ticket_for(env.server, mom),
                                               std::map<std::string, std::string>{}, 4096);
    ASSERT_EQ(stalled->status(), 101);
    auto other = connect(env.server, mom);
    ASSERT_TRUE(other->next_of_type("hello", wait));
    // Every ping is answered; this client reads none of the answers, so they pile up in the
    // kernel's buffers and then in the server's bounded queue (64 KiB here).
    const nlohmann::json ping{{"type", "ping"}, {"id", std::string(64, 'p')}};
    for (int i = 0; i < 80000 && !stalled->closed(); ++i) {
        stalled->send(ping);
    }
    EXPECT_TRUE(stalled->wait_closed(10s));
    EXPECT_EQ(stalled->close_code(), 1006);  // cut off: no close frame can get through
    other->send(nlohmann::json{{"type", "ping"}, {"id", "still-here"}});
    const auto pong = other->next_of_type("pong", wait);
    ASSERT_TRUE(pong);
    EXPECT_EQ((*pong)["in_reply_to"], "still-here");
}

TEST(Realtime, PresenceFollowsConnectionsWithAGraceForReconnects) {
    realtime_server env{realtime_config(1, 600)};
    const auto mom = parent(env.server);
    const auto kid = child(env.server, mom);
    auto watcher = connect(env.server, mom);
    ASSERT_TRUE(watcher->next_of_type("hello", wait));

    auto kid_ws = connect(env.server, kid);
    ASSERT_TRUE(kid_ws->next_of_type("hello", wait));
    const auto online = presence_change(*watcher, kid.id, wait);
    ASSERT_TRUE(online);
    EXPECT_EQ((*online)["online"], true);

    // A reload: closed and back within the grace, no change is announced.
    kid_ws->close();
    kid_ws = connect(env.server, kid);
    ASSERT_TRUE(kid_ws->next_of_type("hello", wait));
    EXPECT_FALSE(presence_change(*watcher, kid.id, 1500ms)) << "a reconnect flapped";

    // An event stream counts as a connection too.
    sse_client stream{env.server.port(), "/api/v1/events", bearer(kid.access)};
    ASSERT_EQ(stream.status(), 200);
    kid_ws->close();
    EXPECT_FALSE(presence_change(*watcher, kid.id, 1500ms)) << "the stream still holds them";

    const auto r = env.server.request("GET", "/api/v1/family/presence", {}, bearer(mom.access));
    ASSERT_EQ(r.status, 200) << r.body;
    const auto listed = json_of(r)["items"];
    ASSERT_EQ(listed.size(), 2U);
    for (const auto& p : listed) {
        EXPECT_EQ(p["online"], true) << r.body;
    }
}

TEST(Realtime, GoingOfflineCarriesLastSeen) {
    realtime_server env{realtime_config(1, 200)};
    const auto mom = parent(env.server);
    const auto kid = child(env.server, mom);
    auto watcher = connect(env.server, mom);
    ASSERT_TRUE(watcher->next_of_type("hello", wait));
    {
        auto kid_ws = connect(env.server, kid);
        ASSERT_TRUE(kid_ws->next_of_type("hello", wait));
        ASSERT_TRUE(presence_change(*watcher, kid.id, wait));
        kid_ws->close();
    }
    const auto offline = presence_change(*watcher, kid.id, wait);
    ASSERT_TRUE(offline);
    EXPECT_EQ((*offline)["online"], false);
    ASSERT_TRUE((*offline)["last_seen"].is_string()) << offline->dump();
    const auto r = env.server.request("GET", "/api/v1/family/presence", {}, bearer(mom.access));
    const auto items = json_of(r)["items"];
    for (const auto& p : items) {
        if (p["user_id"] == kid.id) {
            EXPECT_EQ(p["online"], false);
            EXPECT_EQ(p["last_seen"], (*offline)["last_seen"]);
        }
    }
    // Another family hears nothing of it and sees only its own members.
    const auto stranger = parent(env.server);
    auto theirs = connect(env.server, stranger);
    const auto hello = theirs->next_of_type("hello", wait);
    ASSERT_TRUE(hello);
    EXPECT_EQ((*hello)["presence"].size(), 1U);
    EXPECT_EQ(presence_of(*hello, kid.id), nullptr);
    auto kid_again = connect(env.server, kid);
    EXPECT_FALSE(presence_change(*theirs, kid.id, 1000ms));
}

TEST(Realtime, PresenceCrossesInstancesAndAKilledInstancesMembersGoOffline) {
    two_instances env;
    const auto mom = parent(env.a);
    const auto kid = child(env.a, mom);
    auto watcher = connect(env.a, mom);
    ASSERT_TRUE(watcher->next_of_type("hello", wait));

    auto kid_ws = connect(env.b, kid);
    const auto hello = kid_ws->next_of_type("hello", wait);
    ASSERT_TRUE(hello);
    EXPECT_EQ((*presence_of(*hello, mom.id))["online"], true);  // mom is on the other instance
    const auto online = presence_change(*watcher, kid.id, wait);
    ASSERT_TRUE(online);
    EXPECT_EQ((*online)["online"], true);

    // B dies without a word; A sweeps its members offline within 4 × presence.heartbeat_s.
    const auto killed = std::chrono::steady_clock::now();
    env.b.process().signal(SIGKILL);
    ASSERT_TRUE(env.b.process().wait(5s));
    const auto offline = presence_change(*watcher, kid.id, 8s);
    ASSERT_TRUE(offline) << "not offline 8 s after the kill";
    EXPECT_EQ((*offline)["online"], false);
    EXPECT_LE(std::chrono::steady_clock::now() - killed, 5s);
}

TEST(Realtime, RemovalClosesTheMembersSocketsAndStreamsOnEveryInstance) {
    two_instances env;
    const auto mom = parent(env.a);
    const auto kid = child(env.a, mom);
    auto socket_b = connect(env.b, kid);
    ASSERT_TRUE(socket_b->next_of_type("hello", wait));
    auto socket_a = connect(env.a, kid);
    ASSERT_TRUE(socket_a->next_of_type("hello", wait));
    sse_client stream_b{env.b.port(), "/api/v1/events", bearer(kid.access)};
    ASSERT_EQ(stream_b.status(), 200);
    auto mom_ws = connect(env.b, mom);
    ASSERT_TRUE(mom_ws->next_of_type("hello", wait));

    remove_member(env.a, mom, kid.id);
    EXPECT_TRUE(socket_a->wait_closed(wait));
    EXPECT_EQ(socket_a->close_code(), 4001);
    EXPECT_TRUE(socket_b->wait_closed(wait));
    EXPECT_EQ(socket_b->close_code(), 4001);
    EXPECT_TRUE(stream_b.wait_closed(wait));
    // And they cannot come back.
    EXPECT_EQ(ws_client(env.b.port(), "/api/v1/ws", bearer(kid.access)).status(), 401);
    // The parent's connection is untouched.
    mom_ws->send(nlohmann::json{{"type", "ping"}});
    EXPECT_TRUE(mom_ws->next_of_type("pong", wait));
}

/// Signs in once more as an existing account: another device's session.
nlohmann::json sign_in(const running_server& server, const std::string& email) {
    const auto r =
        server.request("POST", "/api/v1/auth/login",
                       nlohmann::json{{"email", email}, {"password", "correct horse"}}.dump());
    EXPECT_EQ(r.status, 200) << r.body;
    return json_of(r);
}

TEST(Realtime, LoggingOutEverywhereEndsEverySessionOnEveryInstance) {
    two_instances env;
    const auto email = "p-" + random_suffix() + "@example.com";
    const auto signup = env.a.request(
        "POST", "/api/v1/auth/signup",
        nlohmann::json{{"email", email}, {"password", "correct horse"}, {"display_name", "엄마"}}
            .dump());
    ASSERT_EQ(signup.status, 201) << signup.body;
    const auto phone = json_of(signup);
    const auto laptop = sign_in(env.b, email);
    const member_session on_phone{phone["user"]["id"], phone["user"]["family_id"],
                                  phone["access_token"]};
    const member_session on_laptop{on_phone.id, on_phone.family_id, laptop["access_token"]};
    const auto kid = child(env.a, on_phone);

    auto phone_ws = connect(env.a, on_phone);
    ASSERT_TRUE(phone_ws->next_of_type("hello", wait));
    auto laptop_ws = connect(env.b, on_laptop);
    ASSERT_TRUE(laptop_ws->next_of_type("hello", wait));
    sse_client laptop_stream{env.b.port(), "/api/v1/events", bearer(on_laptop.access)};
    ASSERT_EQ(laptop_stream.status(), 200);
    const auto unused_ticket = ticket_for(env.b, on_laptop);
    auto kid_ws = connect(env.b, kid);
    ASSERT_TRUE(kid_ws->next_of_type("hello", wait));

    const auto out =
        env.a.request("POST", "/api/v1/auth/logout-everywhere", {}, bearer(on_phone.access));
    ASSERT_EQ(out.status, 204) << out.body;

    EXPECT_TRUE(phone_ws->wait_closed(wait));
    EXPECT_EQ(phone_ws->close_code(), 4001);
    EXPECT_TRUE(laptop_ws->wait_closed(wait));
    EXPECT_EQ(laptop_ws->close_code(), 4001);
    EXPECT_TRUE(laptop_stream.wait_closed(wait));
    for (const auto* server : {&env.a, &env.b}) {
        for (const auto* token : {&on_phone.access, &on_laptop.access}) {
            const auto me = server->request("GET", "/api/v1/me", {}, bearer(*token));
            EXPECT_EQ(me.status, 401);
            EXPECT_EQ(json_of(me)["code"], "session_ended");
        }
    }
    EXPECT_EQ(ws_client(env.b.port(), "/api/v1/ws?ticket=" + unused_ticket).status(), 401);
    const auto refreshed =
        env.b.request("POST", "/api/v1/auth/refresh",
                      nlohmann::json{{"refresh_token", laptop["refresh_token"]}}.dump());
    EXPECT_EQ(refreshed.status, 401);

    // The old token cannot end anything twice; no token at all is refused the same way.
    expect_problem(
        env.a.request("POST", "/api/v1/auth/logout-everywhere", {}, bearer(on_phone.access)), 401,
        "unauthorized", "session_ended");
    expect_problem(env.a.request("POST", "/api/v1/auth/logout-everywhere"), 401, "unauthorized");

    // Signing in again works at once, on either instance, even within the same second.
    const auto again = sign_in(env.b, email);
    const member_session fresh{on_phone.id, on_phone.family_id, again["access_token"]};
    EXPECT_EQ(env.a.request("GET", "/api/v1/me", {}, bearer(fresh.access)).status, 200);
    auto fresh_ws = connect(env.a, fresh);
    EXPECT_TRUE(fresh_ws->next_of_type("hello", wait));
    // The rest of the family is untouched.
    kid_ws->send(nlohmann::json{{"type", "ping"}});
    EXPECT_TRUE(kid_ws->next_of_type("pong", wait));
}

}  // namespace
}  // namespace poki::test
