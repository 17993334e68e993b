// Calls on the real binary, over WebSockets on two instances that share Redis and
// PostgreSQL: ringing every device, the first answer winning, signals held until the answer
// and then relayed only between the call's devices, glare, busy, missed calls (a durable
// event), a dropped connection's grace, family calls, and calls across families refused.
#include <gtest/gtest.h>

#include "support/family_api.hpp"
#include "support/socket_api.hpp"

namespace poki::test {
namespace {

using namespace std::chrono_literals;

constexpr auto wait = 5s;

nlohmann::json calls_config(int ring_timeout_s = 20) {
    return {{"calls",
             {{"ring_timeout_s", ring_timeout_s},
              {"reconnect_grace_s", 1},
              {"sweep_ms", 200},
              {"max_held_signals", 4},
              {"stun_urls", "stun:127.0.0.1:3478"}}},
            {"presence", {{"heartbeat_s", 1}, {"offline_grace_ms", 300}}}};
}

struct two_instances {
    explicit two_instances(int ring_timeout_s = 20)
        : a{{.redis_port = redis.port(), .extra = calls_config(ring_timeout_s)}}
        , b{{.redis_port = redis.port(), .extra = calls_config(ring_timeout_s)}} {}
    own_redis redis;
    running_server a;
    running_server b;
};

/// A member's connection, past its hello.
std::unique_ptr<ws_client> online(const running_server& server, const member_session& who) {
    auto ws = connect(server, who);
    EXPECT_TRUE(ws->next_of_type("hello", wait));
    return ws;
}

nlohmann::json expect_message(ws_client& ws, const std::string& type) {
    auto m = ws.next_of_type(type, wait);
    EXPECT_TRUE(m) << "no " << type;
    return m.value_or(nlohmann::json::object());
}

nlohmann::json invite(ws_client& ws, const nlohmann::json& to, const std::string& media = "video") {
    ws.send({{"type", "call.invite"}, {"id", "invite-1"}, {"to", to}, {"media", media}});
    auto ringing = expect_message(ws, "call.ringing");
    EXPECT_EQ(ringing["in_reply_to"], "invite-1");
    return ringing;
}

void send_command(ws_client& ws, const std::string& type, const std::string& call_id) {
    ws.send({{"type", type}, {"call_id", call_id}});
}

nlohmann::json offer() {
    return {{"type", "offer"}, {"sdp", "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n"}};
}

nlohmann::json candidate(int n) {
    return {{"candidate", "candidate:" + std::to_string(n) + " 1 udp 2122260223 127.0.0.1 " +
                              std::to_string(50000 + n) + " typ host"},
            {"sdpMid", "0"},
            {"sdpMLineIndex", 0}};
}

/// The error the server answered a refused message with.
std::string error_code(ws_client& ws) {
    return expect_message(ws, "error").value("code", "");
}

std::string state_in_list(const running_server& server, const member_session& who,
                          const std::string& call_id) {
    const auto r = server.request("GET", "/api/v1/calls", {}, bearer(who.access));
    EXPECT_EQ(r.status, 200) << r.body;
    const auto body = json_of(r);
    const auto items = body["items"];
    for (const auto& c : items) {
        if (c["id"] == call_id) {
            return c["state"];
        }
    }
    return "absent";
}

TEST(CallSignalling, EveryDeviceRingsTheFirstAnswerWinsAndSignalsReachOnlyTheCall) {
    two_instances env;
    const auto mom = parent(env.a);
    const auto kid = child(env.a, mom);
    auto mom_ws = online(env.a, mom);
    auto kid_tablet = online(env.b, kid);
    auto kid_phone = online(env.a, kid);

    const auto ringing = invite(*mom_ws, kid.id);
    const std::string call_id = ringing["call_id"];
    EXPECT_EQ(ringing["call"]["state"], "ringing");
    EXPECT_EQ(ringing["ice_servers"]["ice_servers"][0]["urls"][0], "stun:127.0.0.1:3478");
    for (auto* device : {kid_tablet.get(), kid_phone.get()}) {
        const auto incoming = expect_message(*device, "call.incoming");
        EXPECT_EQ(incoming["call_id"], call_id);
        EXPECT_EQ(incoming["from"], mom.id);
        EXPECT_EQ(incoming["call"]["media"], "video");
        EXPECT_TRUE(incoming["ice_servers"].contains("ice_servers"));
    }

    // The caller's offer and first candidates wait for the answer; past the bound, refused.
    mom_ws->send({{"type", "signal"}, {"call_id", call_id}, {"to", kid.id}, {"sdp", offer()}});
    for (int n = 1; n <= 3; ++n) {
        mom_ws->send({{"type", "signal"},
                      {"call_id", call_id},
                      {"to", kid.id},
                      {"candidate", candidate(n)}});
    }
    mom_ws->send(
        {{"type", "signal"}, {"call_id", call_id}, {"to", kid.id}, {"candidate", candidate(9)}});
    EXPECT_EQ(error_code(*mom_ws), "too_many_held_signals");

    send_command(*kid_tablet, "call.accept", call_id);
    const auto accepted = expect_message(*mom_ws, "call.accepted");
    EXPECT_EQ(accepted["user_id"], kid.id);
    EXPECT_EQ(accepted["call"]["state"], "accepted");
    EXPECT_EQ(expect_message(*kid_phone, "call.answered_elsewhere")["call_id"], call_id);
    send_command(*kid_phone, "call.accept", call_id);
    EXPECT_EQ(error_code(*kid_phone), "already_answered");

    // What was held arrives at the answering device, in order, before anything newer.
    const auto first = expect_message(*kid_tablet, "signal");
    EXPECT_EQ(first["from"], mom.id);
    EXPECT_EQ(first["sdp"]["type"], "offer");
    for (int n = 1; n <= 3; ++n) {
        const auto c = expect_message(*kid_tablet, "signal");
        EXPECT_EQ(c["candidate"], candidate(n));
    }
    kid_tablet->send({{"type", "signal"},
                      {"call_id", call_id},
                      {"to", mom.id},
                      {"sdp", {{"type", "answer"}, {"sdp", "v=0\r\n"}}}});
    EXPECT_EQ(expect_message(*mom_ws, "signal")["sdp"]["type"], "answer");
    // The device that did not answer is not in the call.
    kid_phone->send({{"type", "signal"}, {"call_id", call_id}, {"to", mom.id}, {"sdp", offer()}});
    EXPECT_EQ(error_code(*kid_phone), "not_in_call");
    // Malformed signals are named.
    kid_tablet->send({{"type", "signal"}, {"call_id", call_id}, {"to", mom.id}});
    EXPECT_EQ(error_code(*kid_tablet), "validation_failed");
    kid_tablet->send({{"type", "signal"}, {"call_id", "nope"}, {"to", mom.id}, {"sdp", offer()}});
    EXPECT_EQ(error_code(*kid_tablet), "validation_failed");
    EXPECT_EQ(state_in_list(env.b, kid, call_id), "accepted");

    send_command(*mom_ws, "call.end", call_id);
    for (auto* device : {mom_ws.get(), kid_tablet.get(), kid_phone.get()}) {
        const auto ended = expect_message(*device, "call.ended");
        EXPECT_EQ(ended["call"]["state"], "ended");
        EXPECT_EQ(ended["call"]["reason"], "hang_up");
    }
    kid_tablet->send({{"type", "signal"}, {"call_id", call_id}, {"to", mom.id}, {"sdp", offer()}});
    EXPECT_EQ(error_code(*kid_tablet), "not_in_call");
    send_command(*kid_tablet, "call.end", call_id);
    EXPECT_EQ(error_code(*kid_tablet), "call_over");

    const auto listed = env.a.request("GET", "/api/v1/calls", {}, bearer(kid.access));
    const auto body = json_of(listed);
    const auto& call = body["items"][0];
    EXPECT_EQ(call["id"], call_id);
    EXPECT_EQ(call["caller_id"], mom.id);
    EXPECT_TRUE(call.contains("answered_at"));
    EXPECT_TRUE(call.contains("ended_at"));
}

TEST(CallSignalling, TwoMembersCallingEachOtherEndUpInOneCall) {
    two_instances env;
    const auto mom = parent(env.a);
    const auto kid = child(env.a, mom);
    auto mom_ws = online(env.a, mom);
    auto kid_ws = online(env.b, kid);
    mom_ws->send({{"type", "call.invite"}, {"to", kid.id}, {"media", "audio"}});
    kid_ws->send({{"type", "call.invite"}, {"to", mom.id}, {"media", "audio"}});
    const auto mom_sees = expect_message(*mom_ws, "call.accepted");
    const auto kid_sees = expect_message(*kid_ws, "call.accepted");
    EXPECT_EQ(mom_sees["call_id"], kid_sees["call_id"]);
    EXPECT_EQ(mom_sees["call"]["state"], "accepted");
    const auto r = env.a.request("GET", "/api/v1/calls", {}, bearer(mom.access));
    EXPECT_EQ(json_of(r)["items"].size(), 1U) << r.body;
}

TEST(CallSignalling, BusyRejectedCancelledAndNotAllowedNow) {
    two_instances env;
    const auto mom = parent(env.a);
    const auto kid = child(env.a, mom);
    const auto dad = second_parent(env.a, mom);
    auto mom_ws = online(env.a, mom);
    auto kid_ws = online(env.b, kid);
    auto dad_ws = online(env.b, dad);

    const std::string rejected = invite(*mom_ws, kid.id)["call_id"];
    send_command(*mom_ws, "call.reject", rejected);
    EXPECT_EQ(error_code(*mom_ws), "not_ringing");
    send_command(*kid_ws, "call.cancel", rejected);
    EXPECT_EQ(error_code(*kid_ws), "not_the_caller");
    send_command(*kid_ws, "call.reject", rejected);
    EXPECT_EQ(expect_message(*mom_ws, "call.ended")["call"]["state"], "rejected");

    const std::string cancelled = invite(*mom_ws, kid.id)["call_id"];
    (void)expect_message(*kid_ws, "call.incoming");
    send_command(*mom_ws, "call.cancel", cancelled);
    EXPECT_EQ(expect_message(*kid_ws, "call.ended")["call"]["state"], "cancelled");

    const std::string talking = invite(*mom_ws, kid.id)["call_id"];
    send_command(*kid_ws, "call.accept", talking);
    (void)expect_message(*mom_ws, "call.accepted");
    const auto busy = invite(*dad_ws, kid.id);
    EXPECT_EQ(busy["call"]["state"], "busy");
    EXPECT_EQ(expect_message(*dad_ws, "call.ended")["call"]["state"], "busy");
    mom_ws->send({{"type", "call.invite"}, {"to", dad.id}, {"media", "video"}});
    EXPECT_EQ(error_code(*mom_ws), "already_in_call");
    mom_ws->send({{"type", "call.invite"}, {"to", mom.id}, {"media", "video"}});
    EXPECT_EQ(error_code(*mom_ws), "validation_failed");
}

TEST(CallSignalling, AnUnansweredCallIsMissedAndRecorded) {
    two_instances env{1};
    const auto mom = parent(env.a);
    const auto kid = child(env.a, mom);
    auto mom_ws = online(env.a, mom);
    auto kid_ws = online(env.b, kid);
    const std::string call_id = invite(*mom_ws, kid.id)["call_id"];
    const auto missed = expect_message(*kid_ws, "call.missed");
    EXPECT_EQ(missed["user_id"], kid.id);
    EXPECT_EQ(expect_message(*mom_ws, "call.ended")["call"]["state"], "missed");
    EXPECT_EQ(state_in_list(env.a, mom, call_id), "missed");

    // A durable event for the callee, in the notification center.
    const auto r = env.b.request("GET", "/api/v1/notifications", {}, bearer(kid.access));
    ASSERT_EQ(r.status, 200) << r.body;
    const auto body = json_of(r);
    const auto items = body["items"];
    const auto found = std::find_if(items.begin(), items.end(), [](const nlohmann::json& n) {
        return n["type"] == "call.missed";
    });
    ASSERT_NE(found, items.end()) << r.body;
    EXPECT_EQ((*found)["data"]["call_id"], call_id);
    EXPECT_EQ((*found)["data"]["caller_id"], mom.id);
    EXPECT_EQ((*found)["data"]["caller_name"], "엄마");

    // And a line in the family chat room, by the caller, keyed by the call.
    const auto room = family_room(env.a, kid);
    const auto history = env.a.request(
        "GET", "/api/v1/chat/rooms/" + std::to_string(room) + "/messages", {}, bearer(kid.access));
    ASSERT_EQ(history.status, 200) << history.body;
    const auto messages = json_of(history)["items"];
    ASSERT_EQ(messages.size(), 1U) << history.body;
    EXPECT_EQ(messages[0]["kind"], "missed_call");
    EXPECT_EQ(messages[0]["client_id"], call_id);
    EXPECT_EQ(messages[0]["author"]["id"], mom.id);
}

TEST(CallSignalling, ADroppedConnectionMayComeBackWithinTheGrace) {
    two_instances env;
    const auto mom = parent(env.a);
    const auto kid = child(env.a, mom);
    auto mom_ws = online(env.a, mom);
    auto kid_ws = online(env.b, kid);
    const std::string call_id = invite(*mom_ws, kid.id)["call_id"];
    send_command(*kid_ws, "call.accept", call_id);
    (void)expect_message(*mom_ws, "call.accepted");

    // Back on another instance before the grace ends: the call goes on.
    kid_ws->close();
    auto kid_again = online(env.a, kid);
    send_command(*kid_again, "call.rejoin", call_id);
    EXPECT_EQ(expect_message(*mom_ws, "call.rejoined")["user_id"], kid.id);
    kid_again->send({{"type", "signal"}, {"call_id", call_id}, {"to", mom.id}, {"sdp", offer()}});
    EXPECT_EQ(expect_message(*mom_ws, "signal")["from"], kid.id);
    EXPECT_FALSE(mom_ws->next_of_type("call.ended", 2s));

    // Gone for good: the call ends as connection_lost after the grace.
    kid_again->close();
    const auto ended = mom_ws->next_of_type("call.ended", 5s);
    ASSERT_TRUE(ended);
    EXPECT_EQ((*ended)["call"]["reason"], "connection_lost");
}

TEST(CallSignalling, AFamilyCallConnectsEveryoneAndGoesOnWhenOneLeaves) {
    two_instances env;
    const auto mom = parent(env.a);
    const auto kid = child(env.a, mom);
    const auto dad = second_parent(env.a, mom);
    auto mom_ws = online(env.a, mom);
    auto kid_ws = online(env.b, kid);
    auto dad_ws = online(env.a, dad);
    const std::string call_id = invite(*mom_ws, {kid.id, dad.id})["call_id"];
    send_command(*kid_ws, "call.accept", call_id);
    send_command(*dad_ws, "call.accept", call_id);
    // Everyone hears of each one who joins.
    for (auto* ws : {mom_ws.get(), kid_ws.get(), dad_ws.get()}) {
        const auto one = expect_message(*ws, "call.accepted");
        const auto two = expect_message(*ws, "call.accepted");
        EXPECT_NE(one["user_id"], two["user_id"]);
    }
    kid_ws->send({{"type", "signal"}, {"call_id", call_id}, {"to", dad.id}, {"sdp", offer()}});
    EXPECT_EQ(expect_message(*dad_ws, "signal")["from"], kid.id);

    send_command(*kid_ws, "call.end", call_id);
    const auto left = expect_message(*mom_ws, "call.left");
    EXPECT_EQ(left["user_id"], kid.id);
    EXPECT_EQ(left["call"]["state"], "accepted");
    dad_ws->send({{"type", "signal"}, {"call_id", call_id}, {"to", kid.id}, {"sdp", offer()}});
    EXPECT_EQ(error_code(*dad_ws), "not_a_party");
    send_command(*dad_ws, "call.end", call_id);
    EXPECT_EQ(expect_message(*mom_ws, "call.ended")["call"]["state"], "ended");
}

TEST(CallSignalling, AnotherFamilyCanNeitherCallNorSignal) {
    two_instances env;
    const auto mom = parent(env.a);
    const auto kid = child(env.a, mom);
    const auto stranger = parent(env.b);
    auto mom_ws = online(env.a, mom);
    auto kid_ws = online(env.b, kid);
    auto stranger_ws = online(env.b, stranger);
    stranger_ws->send({{"type", "call.invite"}, {"to", kid.id}, {"media", "video"}});
    EXPECT_EQ(error_code(*stranger_ws), "member_not_found");
    EXPECT_FALSE(kid_ws->next_of_type("call.incoming", 500ms));

    const std::string call_id = invite(*mom_ws, kid.id)["call_id"];
    send_command(*stranger_ws, "call.accept", call_id);
    EXPECT_EQ(error_code(*stranger_ws), "call_not_found");
    stranger_ws->send({{"type", "signal"}, {"call_id", call_id}, {"to", kid.id}, {"sdp", offer()}});
    EXPECT_EQ(error_code(*stranger_ws), "not_in_call");
    EXPECT_EQ(state_in_list(env.b, stranger, call_id), "absent");
}

TEST(CallSignalling, TheCallListPagesAndRefusesBadInput) {
    two_instances env;
    const auto mom = parent(env.a);
    const auto kid = child(env.a, mom);
    auto mom_ws = online(env.a, mom);
    auto kid_ws = online(env.b, kid);
    std::vector<std::string> made;
    for (int i = 0; i < 3; ++i) {
        const std::string id = invite(*mom_ws, kid.id)["call_id"];
        made.push_back(id);
        send_command(*mom_ws, "call.cancel", id);
        (void)expect_message(*mom_ws, "call.ended");
    }
    // Newest first, two at a time, no call twice.
    const auto first = env.a.request("GET", "/api/v1/calls?limit=2", {}, bearer(kid.access));
    ASSERT_EQ(first.status, 200) << first.body;
    const auto page1 = json_of(first);
    ASSERT_EQ(page1["items"].size(), 2U);
    EXPECT_EQ(page1["items"][0]["id"], made[2]);
    EXPECT_EQ(page1["items"][1]["id"], made[1]);
    const auto cursor = page1["next_cursor"].get<std::int64_t>();
    const auto second = env.b.request(
        "GET", "/api/v1/calls?limit=2&cursor=" + std::to_string(cursor), {}, bearer(kid.access));
    const auto page2 = json_of(second);
    ASSERT_EQ(page2["items"].size(), 1U) << second.body;
    EXPECT_EQ(page2["items"][0]["id"], made[0]);
    EXPECT_TRUE(page2["next_cursor"].is_null());

    expect_problem(env.a.request("GET", "/api/v1/calls"), 401, "unauthorized");
    expect_problem(env.a.request("GET", "/api/v1/calls", {}, bearer("not-a-token")), 401,
                   "unauthorized");
    for (const auto* bad : {"?cursor=abc", "?cursor=0", "?limit=0", "?limit=201"}) {
        SCOPED_TRACE(bad);
        expect_problem(
            env.a.request("GET", std::string{"/api/v1/calls"} + bad, {}, bearer(mom.access)), 422,
            "validation_failed");
    }
    // Another family's list has none of these.
    const auto stranger = parent(env.a);
    const auto theirs = env.a.request("GET", "/api/v1/calls", {}, bearer(stranger.access));
    EXPECT_TRUE(json_of(theirs)["items"].empty()) << theirs.body;
}

}  // namespace
}  // namespace poki::test
