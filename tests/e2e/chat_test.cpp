// Family chat over HTTP on the real binary: the family room, direct rooms, idempotent and
// concurrent sends, paging, read receipts and unread counts, tombstones, the walls between
// families and rooms, removed members, Korean and emoji text, and push to an offline member.
#include <thread>

#include <gtest/gtest.h>

#include "support/fake_fcm.hpp"
#include "support/family_api.hpp"
#include "support/running_server.hpp"
#include "support/sse_client.hpp"

namespace poki::test {
namespace {

using std::chrono::seconds;

http_reply send(const running_server& server, const member_session& who, std::int64_t room,
                const std::string& text, const std::string& client_id = new_uuid()) {
    return server.request("POST", "/api/v1/chat/rooms/" + std::to_string(room) + "/messages",
                          nlohmann::json{{"client_id", client_id}, {"text", text}}.dump(),
                          bearer(who.access));
}

nlohmann::json history(const running_server& server, const member_session& who, std::int64_t room,
                       const std::string& query = {}) {
    const auto r =
        server.request("GET", "/api/v1/chat/rooms/" + std::to_string(room) + "/messages" + query,
                       {}, bearer(who.access));
    EXPECT_EQ(r.status, 200) << r.body;
    return json_of(r);
}

nlohmann::json room_listing(const running_server& server, const member_session& who,
                            std::int64_t room) {
    const auto r = server.request("GET", "/api/v1/chat/rooms", {}, bearer(who.access));
    const auto body = json_of(r);
    for (const auto& item : body["items"]) {
        if (item["id"] == room) {
            return item;
        }
    }
    return nullptr;
}

TEST(Chat, TheFamilyRoomCarriesKoreanAndEmojiLiveWithReadReceipts) {
    family_server fixture;
    const auto& server = fixture.server;
    const auto mom = parent(server);
    const auto kid = child(server, mom);
    const auto room = family_room(server, mom);
    EXPECT_EQ(family_room(server, kid), room);

    sse_client kid_stream{server.port(), "/api/v1/events", bearer(kid.access)};
    sse_client mom_stream{server.port(), "/api/v1/events", bearer(mom.access)};
    ASSERT_TRUE(kid_stream.next_of_type("ready", seconds{5}));
    ASSERT_TRUE(mom_stream.next_of_type("ready", seconds{5}));

    const std::string text = "하늘아, 포도 먹자 🍇👨‍👩‍👧";
    const auto sent = send(server, mom, room, "  " + text + "\n");
    ASSERT_EQ(sent.status, 201) << sent.body;
    const auto message = json_of(sent);
    EXPECT_EQ(message["text"], text);  // trimmed, byte for byte otherwise
    EXPECT_EQ(message["id"], 1);
    EXPECT_EQ(message["author"]["display_name"], "엄마");

    const auto live = kid_stream.next_of_type("chat.message", seconds{5});
    ASSERT_TRUE(live);
    const auto data = nlohmann::json::parse(live->data);
    EXPECT_EQ(data["room_id"], room);
    EXPECT_EQ(data["message"]["text"], text);

    EXPECT_EQ(room_listing(server, kid, room)["unread"], 1);
    EXPECT_EQ(room_listing(server, kid, room)["last_message"]["text"], text);
    EXPECT_EQ(room_listing(server, mom, room)["unread"], 0);  // one's own messages are read

    const auto read = server.request("POST", "/api/v1/chat/rooms/" + std::to_string(room) + "/read",
                                     R"({"message_id":1})", bearer(kid.access));
    ASSERT_EQ(read.status, 200) << read.body;
    EXPECT_EQ(json_of(read)["read_through"], 1);
    const auto receipt = mom_stream.next_of_type("chat.read", seconds{5});
    ASSERT_TRUE(receipt);
    EXPECT_EQ(nlohmann::json::parse(receipt->data)["user_id"], kid.id);
    EXPECT_EQ(nlohmann::json::parse(receipt->data)["message_id"], 1);
    EXPECT_EQ(room_listing(server, kid, room)["unread"], 0);
    // Never backwards, never past the last message.
    EXPECT_EQ(json_of(server.request("POST", "/api/v1/chat/rooms/" + std::to_string(room) + "/read",
                                     R"({"message_id":0})", bearer(kid.access)))["read_through"],
              1);
    EXPECT_EQ(json_of(server.request("POST", "/api/v1/chat/rooms/" + std::to_string(room) + "/read",
                                     R"({"message_id":99})", bearer(kid.access)))["read_through"],
              1);
}

TEST(Chat, TheSameClientIdSentTenTimesAtOnceStoresOneMessage) {
    family_server fixture;
    const auto& server = fixture.server;
    const auto mom = parent(server);
    const auto room = family_room(server, mom);
    const auto client_id = new_uuid();
    std::vector<http_reply> replies(10);
    std::vector<std::thread> senders;
    senders.reserve(replies.size());
    for (auto& reply : replies) {
        senders.emplace_back([&] { reply = send(server, mom, room, "한 번만", client_id); });
    }
    for (auto& t : senders) {
        t.join();
    }
    int created = 0;
    for (const auto& r : replies) {
        ASSERT_TRUE(r.status == 201 || r.status == 200) << r.body;
        created += r.status == 201 ? 1 : 0;
        EXPECT_EQ(json_of(r)["id"], 1);
        EXPECT_EQ(json_of(r)["client_id"], client_id);
    }
    EXPECT_EQ(created, 1);
    EXPECT_EQ(history(server, mom, room)["items"].size(), 1U);
    // Upper-case is the same UUID.
    std::string upper = client_id;
    std::transform(upper.begin(), upper.end(), upper.begin(),
                   [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    EXPECT_EQ(send(server, mom, room, "한 번만", upper).status, 200);
}

TEST(Chat, ConcurrentSendsPageInOrderWithoutGapsOrRepeats) {
    family_server fixture;
    const auto& server = fixture.server;
    const auto mom = parent(server);
    const auto kid = child(server, mom);
    const auto room = family_room(server, mom);
    std::vector<std::thread> senders;
    senders.reserve(4);
    for (int t = 0; t < 4; ++t) {
        senders.emplace_back([&, t] {
            for (int i = 0; i < 25; ++i) {
                const auto& who = t % 2 == 0 ? mom : kid;
                EXPECT_EQ(send(server, who, room, "message " + std::to_string(t * 100 + i)).status,
                          201);
            }
        });
    }
    // Read newest-first pages while the sends go on: ids only ever go down within a walk.
    for (int walk = 0; walk < 3; ++walk) {
        std::optional<std::int64_t> cursor;
        std::int64_t previous = std::numeric_limits<std::int64_t>::max();
        do {
            const auto page = history(
                server, kid, room,
                "?limit=7" + (cursor ? "&before=" + std::to_string(*cursor) : std::string{}));
            for (const auto& m : page["items"]) {
                EXPECT_LT(m["id"].get<std::int64_t>(), previous);
                previous = m["id"];
            }
            cursor = page["next_cursor"].is_null()
                         ? std::nullopt
                         : std::optional<std::int64_t>{page["next_cursor"].get<std::int64_t>()};
        } while (cursor);
    }
    for (auto& t : senders) {
        t.join();
    }
    std::vector<std::int64_t> newest_first;
    std::optional<std::int64_t> cursor;
    do {
        const auto page =
            history(server, kid, room,
                    "?limit=7" + (cursor ? "&before=" + std::to_string(*cursor) : std::string{}));
        for (const auto& m : page["items"]) {
            newest_first.push_back(m["id"]);
        }
        cursor = page["next_cursor"].is_null()
                     ? std::nullopt
                     : std::optional<std::int64_t>{page["next_cursor"].get<std::int64_t>()};
    } while (cursor);
    ASSERT_EQ(newest_first.size(), 100U);
    for (std::size_t i = 0; i < newest_first.size(); ++i) {
        EXPECT_EQ(newest_first[i], static_cast<std::int64_t>(100 - i));
    }
    // Oldest first from a point, for catching up.
    const auto tail = history(server, kid, room, "?after=95");
    ASSERT_EQ(tail["items"].size(), 5U);
    EXPECT_EQ(tail["items"][0]["id"], 96);
    EXPECT_EQ(room_listing(server, kid, room)["unread"], 50);  // mom's half
}

TEST(Chat, DirectRoomsAreStableAndPrivate) {
    family_server fixture;
    const auto& server = fixture.server;
    const auto mom = parent(server);
    const auto kid = child(server, mom);
    const auto sibling = child(server, mom);
    const auto stranger = parent(server);
    const auto open = [&](const member_session& who, std::int64_t other) {
        return server.request("POST", "/api/v1/chat/rooms",
                              nlohmann::json{{"member_id", other}}.dump(), bearer(who.access));
    };
    const auto first = open(mom, kid.id);
    ASSERT_EQ(first.status, 200) << first.body;
    const std::int64_t room = json_of(first)["id"];
    EXPECT_EQ(json_of(first)["kind"], "direct");
    EXPECT_EQ(json_of(open(mom, kid.id))["id"], room);
    EXPECT_EQ(json_of(open(kid, mom.id))["id"], room);  // the same pair, either way round
    const auto path = "/api/v1/chat/rooms/" + std::to_string(room) + "/messages";
    const auto empty = server.request("GET", path, {}, bearer(mom.access));
    ASSERT_EQ(empty.status, 200) << empty.body;  // a room with nothing in it yet is no 404
    EXPECT_EQ(json_of(empty)["items"].size(), 0U);
    ASSERT_EQ(send(server, kid, room, "엄마 사랑해").status, 201);

    expect_problem(server.request("GET", path, {}, bearer(sibling.access)), 404, "not_found");
    expect_problem(send(server, sibling, room, "몰래"), 404, "not_found");
    expect_problem(server.request("GET", path, {}, bearer(stranger.access)), 404, "not_found");
    EXPECT_TRUE(room_listing(server, sibling, room).is_null());
    EXPECT_FALSE(room_listing(server, kid, room).is_null());
    expect_problem(open(stranger, kid.id), 404, "not_found");
    expect_problem(open(mom, mom.id), 422, "validation_failed");
    expect_problem(server.request("GET",
                                  "/api/v1/chat/rooms/" +
                                      std::to_string(family_room(server, stranger)) + "/messages",
                                  {}, bearer(mom.access)),
                   404, "not_found");
}

TEST(Chat, BadMessagesAreRefusedWithTheFieldNamed) {
    family_server fixture;
    const auto& server = fixture.server;
    const auto mom = parent(server);
    const auto room = family_room(server, mom);
    expect_problem(send(server, mom, room, "   \n "), 422, "validation_failed");
    expect_problem(send(server, mom, room, std::string(2001, 'a')), 422, "validation_failed");
    std::string korean;
    for (int i = 0; i < 2000; ++i) {
        korean += "포";  // 2,000 code points, 6,000 bytes: allowed
    }
    EXPECT_EQ(send(server, mom, room, korean).status, 201);
    expect_problem(send(server, mom, room, "hi", "not-a-uuid"), 422, "validation_failed");
    const auto path = "/api/v1/chat/rooms/" + std::to_string(room) + "/messages";
    const auto bad_utf8 = server.request(
        "POST", path, R"({"client_id":")" + new_uuid() + R"(","text":")" + "\xff\xfe\"}",
        bearer(mom.access));
    expect_problem(bad_utf8, 422, "validation_failed");
    expect_problem(
        server.request("POST", path,
                       nlohmann::json{{"client_id", new_uuid()}, {"text", "a"}, {"x", 1}}.dump(),
                       bearer(mom.access)),
        422, "validation_failed");
    expect_problem(server.request("GET", path + "?before=1&after=2", {}, bearer(mom.access)), 422,
                   "validation_failed");
    expect_problem(server.request("GET", path + "?limit=0", {}, bearer(mom.access)), 422,
                   "validation_failed");
    expect_problem(
        server.request("GET", "/api/v1/chat/rooms/999999/messages", {}, bearer(mom.access)), 404,
        "not_found");
}

TEST(Chat, DeletingLeavesATombstoneAndTellsTheOthers) {
    family_server fixture;
    const auto& server = fixture.server;
    const auto mom = parent(server);
    const auto kid = child(server, mom);
    const auto room = family_room(server, mom);
    ASSERT_EQ(send(server, mom, room, "첫째").status, 201);
    ASSERT_EQ(send(server, mom, room, "둘째").status, 201);
    sse_client kid_stream{server.port(), "/api/v1/events", bearer(kid.access)};
    ASSERT_TRUE(kid_stream.next_of_type("ready", seconds{5}));
    const auto path = "/api/v1/chat/rooms/" + std::to_string(room) + "/messages/";
    expect_problem(server.request("DELETE", path + "2", {}, bearer(kid.access)), 403, "forbidden");
    expect_problem(server.request("DELETE", path + "7", {}, bearer(mom.access)), 404, "not_found");
    EXPECT_EQ(server.request("DELETE", path + "2", {}, bearer(mom.access)).status, 204);
    EXPECT_EQ(server.request("DELETE", path + "2", {}, bearer(mom.access)).status, 204);
    const auto deleted = kid_stream.next_of_type("chat.deleted", seconds{5});
    ASSERT_TRUE(deleted);
    EXPECT_EQ(nlohmann::json::parse(deleted->data)["message_id"], 2);
    const auto items = history(server, kid, room)["items"];
    ASSERT_EQ(items.size(), 2U);
    EXPECT_EQ(items[0]["id"], 2);
    EXPECT_EQ(items[0]["deleted"], true);
    EXPECT_TRUE(items[0]["text"].is_null());
    EXPECT_EQ(items[1]["text"], "첫째");
    EXPECT_EQ(room_listing(server, kid, room)["unread"], 1);
}

TEST(Chat, ARemovedMemberLosesAccessButTheirMessagesStayWithTheirName) {
    family_server fixture;
    const auto& server = fixture.server;
    const auto mom = parent(server);
    const auto kid = child(server, mom);
    const auto room = family_room(server, mom);
    ASSERT_EQ(send(server, kid, room, "안녕히 계세요").status, 201);
    remove_member(server, mom, kid.id);
    expect_problem(server.request("GET", "/api/v1/chat/rooms", {}, bearer(kid.access)), 401,
                   "unauthorized");
    expect_problem(send(server, kid, room, "다시"), 401, "unauthorized");
    const auto items = history(server, mom, room)["items"];
    ASSERT_EQ(items.size(), 1U);
    EXPECT_EQ(items[0]["author"]["id"], kid.id);
    EXPECT_EQ(items[0]["author"]["display_name"], "하늘");
}

TEST(Chat, AnOfflineMemberGetsThePushWithTheSenderAndAPreview) {
    own_redis redis;
    fake_fcm fcm;
    const auto dir = temp_dir("poki-chat-push");
    running_server server{
        {.redis_port = redis.port(),
         .extra = {{"push",
                    {{"service_account_file", fcm.write_service_account(dir).string()},
                     {"token_endpoint", fcm.token_url()},
                     {"send_endpoint", fcm.send_url()},
                     {"poll_interval_ms", 200}}}}}};
    const auto mom = parent(server);
    const auto kid = child(server, mom);
    const auto token = "kid-phone-" + random_suffix();
    ASSERT_EQ(server
                  .request("PUT", "/api/v1/devices/" + token,
                           R"({"platform":"ios","app_version":"2.0.0"})", bearer(kid.access))
                  .status,
              200);
    const auto room = family_room(server, mom);
    const std::string long_text(150, 'z');
    ASSERT_EQ(send(server, mom, room, long_text).status, 201);
    const auto sends = fcm.wait_for_sends(1, seconds{10});
    ASSERT_EQ(sends.size(), 1U) << server.log();
    const auto message = nlohmann::json::parse(sends[0].body)["message"];
    EXPECT_EQ(message["token"], token);
    EXPECT_EQ(message["notification"]["title"], "엄마");
    EXPECT_EQ(message["notification"]["body"], std::string(100, 'z') + "…");
    EXPECT_EQ(message["data"]["type"], "chat.message");
    std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace poki::test
