// The notification center over HTTP on the real binary: live events, resume by id, reset
// after retention, tickets, the notification list and read marks, two instances sharing
// PostgreSQL and Redis, lost publishes, and streams ending cleanly on SIGTERM.
#include <array>
#include <csignal>
#include <cstdio>

#include <gtest/gtest.h>
#include <pqxx/pqxx>

#include "support/family_api.hpp"
#include "support/running_server.hpp"
#include "support/sse_client.hpp"

namespace poki::test {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

/// A member joins and is removed again: the parent gets two events.
void join_and_leave(const running_server& server, const member_session& mom) {
    const auto kid = child(server, mom);
    remove_member(server, mom, kid.id);
}

std::unique_ptr<sse_client> open_stream(const running_server& server, const member_session& who,
                                        std::map<std::string, std::string> headers = {},
                                        const std::string& query = {}) {
    headers["Authorization"] = "Bearer " + who.access;
    auto stream = std::make_unique<sse_client>(server.port(), "/api/v1/events" + query, headers);
    EXPECT_EQ(stream->status(), 200);
    return stream;
}

/// Reads up to the `ready` event that says the stream is live; returns the events before it.
std::vector<sse_message> until_ready(sse_client& stream) {
    std::vector<sse_message> before;
    while (auto m = stream.next(seconds{10})) {
        if (m->type == "ready") {
            return before;
        }
        before.push_back(*m);
    }
    ADD_FAILURE() << "the stream never became ready";
    return before;
}

TEST(Events, MemberJoinedReachesTheParentLiveWithStreamHeaders) {
    family_server fixture;
    const auto& server = fixture.server;
    const auto mom = parent(server);
    auto stream = open_stream(server, mom);
    EXPECT_EQ(stream->header("content-type"), "text/event-stream; charset=utf-8");
    EXPECT_EQ(stream->header("x-accel-buffering"), "no");
    EXPECT_EQ(stream->header("content-length"), "");
    EXPECT_EQ(stream->header("content-encoding"), "");
    EXPECT_TRUE(until_ready(*stream).empty());
    EXPECT_EQ(stream->retry_ms(), 3000);

    const auto kid = child(server, mom);
    const auto joined = stream->next(seconds{5});
    ASSERT_TRUE(joined);
    EXPECT_EQ(joined->id, "1");
    EXPECT_EQ(joined->type, "family.member_joined");
    const auto data = nlohmann::json::parse(joined->data);
    EXPECT_EQ(data["member"]["id"], kid.id);
    EXPECT_EQ(data["member"]["display_name"], "하늘");
    EXPECT_EQ(data["member"]["role"], "child");

    // The child hears of its own removal from nobody; the parent does.
    remove_member(server, mom, kid.id);
    const auto removed = stream->next(seconds{5});
    ASSERT_TRUE(removed);
    EXPECT_EQ(removed->id, "2");
    EXPECT_EQ(removed->type, "family.member_removed");
}

TEST(Events, ResumeWithLastEventIdReplaysEveryMissedEventOnceInOrder) {
    family_server fixture;
    const auto& server = fixture.server;
    const auto mom = parent(server);
    {
        auto stream = open_stream(server, mom);
        until_ready(*stream);
        join_and_leave(server, mom);
        EXPECT_EQ(stream->next(seconds{5})->id, "1");
        EXPECT_EQ(stream->next(seconds{5})->id, "2");
    }  // the connection drops
    join_and_leave(server, mom);
    join_and_leave(server, mom);

    auto stream = open_stream(server, mom, {{"Last-Event-ID", "2"}}, "?since=0");
    const auto replayed = until_ready(*stream);
    std::vector<std::string> ids;
    ids.reserve(replayed.size());
    for (const auto& m : replayed) {
        ids.push_back(m.id);
    }
    EXPECT_EQ(ids, (std::vector<std::string>{"3", "4", "5", "6"}));
    join_and_leave(server, mom);
    EXPECT_EQ(stream->next(seconds{5})->id, "7");
    EXPECT_EQ(stream->next(seconds{5})->id, "8");

    // ?since= alone resumes too (the app's first connect after loading its state).
    auto again = open_stream(server, mom, {}, "?since=6");
    const auto tail = until_ready(*again);
    ASSERT_EQ(tail.size(), 2U);
    EXPECT_EQ(tail[0].id, "7");
    EXPECT_EQ(tail[1].id, "8");
}

TEST(Events, StreamTicketsAndBadResumePointsAreChecked) {
    family_server fixture;
    const auto& server = fixture.server;
    const auto mom = parent(server);
    const auto issued = server.request("POST", "/api/v1/stream-tickets", {}, bearer(mom.access));
    ASSERT_EQ(issued.status, 201) << issued.body;
    const std::string ticket = json_of(issued)["ticket"];
    {
        sse_client stream{server.port(), "/api/v1/events?ticket=" + ticket};
        EXPECT_EQ(stream.status(), 200);
        until_ready(stream);
    }
    sse_client reused{server.port(), "/api/v1/events?ticket=" + ticket};
    EXPECT_EQ(reused.status(), 401);
    EXPECT_NE(reused.error_body(seconds{2}).find("unauthorized"), std::string::npos);

    sse_client anonymous{server.port(), "/api/v1/events"};
    EXPECT_EQ(anonymous.status(), 401);
    EXPECT_EQ(anonymous.header("www-authenticate"), "Bearer");

    expect_problem(
        server.request("GET", "/api/v1/events", {},
                       {{"Authorization", "Bearer " + mom.access}, {"Last-Event-ID", "twelve"}}),
        422, "validation_failed");
    expect_problem(server.request("GET", "/api/v1/events?since=-1", {}, bearer(mom.access)), 422,
                   "validation_failed");
}

TEST(Events, ResumingFromBeforeRetentionStartsWithAReset) {
    family_server fixture;
    const auto& server = fixture.server;
    const auto mom = parent(server);
    join_and_leave(server, mom);
    {
        pqxx::connection c{required_env("TEST_POKI_PG_URL")};
        pqxx::work tx{c};
        tx.exec_params(
            "UPDATE events SET created_at = now() - interval '40 days' WHERE user_id = $1", mom.id);
        tx.commit();
    }
    // A second instance whose retention job runs every second does the deleting.
    running_server pruner{
        {.redis_port = fixture.redis.port(), .extra = {{"events", {{"prune_interval_s", 1}}}}}};
    const auto none_left = [&] {
        pqxx::connection c{required_env("TEST_POKI_PG_URL")};
        pqxx::nontransaction tx{c};
        return tx.exec_params1("SELECT count(*) FROM events WHERE user_id = $1", mom.id)[0]
                   .as<std::int64_t>() == 0;
    };
    ASSERT_TRUE(eventually(none_left, seconds{15}, milliseconds{100}));

    auto stream = open_stream(server, mom, {{"Last-Event-ID", "1"}});
    const auto first = stream->next(seconds{5});
    ASSERT_TRUE(first);
    EXPECT_EQ(first->type, "reset");
    EXPECT_EQ(first->id, "2");
    EXPECT_EQ(nlohmann::json::parse(first->data)["last_seq"], 2);
    EXPECT_TRUE(until_ready(*stream).empty());

    // Up to date: no reset. From the future (another database?): reset.
    auto current = open_stream(server, mom, {{"Last-Event-ID", "2"}});
    EXPECT_TRUE(until_ready(*current).empty());
    auto future = open_stream(server, mom, {{"Last-Event-ID", "99"}});
    EXPECT_EQ(future->next(seconds{5})->type, "reset");
}

TEST(Events, NotificationListReadMarksAndUnreadCountStayWithinTheFamily) {
    family_server fixture;
    const auto& server = fixture.server;
    const auto mom = parent(server);
    const auto other = parent(server);
    join_and_leave(server, mom);
    const auto kid = child(server, mom);  // event 3

    const auto first =
        server.request("GET", "/api/v1/notifications?limit=2", {}, bearer(mom.access));
    ASSERT_EQ(first.status, 200) << first.body;
    const auto page = json_of(first);
    ASSERT_EQ(page["items"].size(), 2U);
    EXPECT_EQ(page["items"][0]["id"], 3);
    EXPECT_EQ(page["items"][0]["type"], "family.member_joined");
    EXPECT_EQ(page["items"][0]["data"]["member"]["id"], kid.id);
    EXPECT_EQ(page["items"][0]["unread"], true);
    EXPECT_EQ(page["items"][1]["id"], 2);
    EXPECT_EQ(page["next_cursor"], 2);
    const auto rest =
        json_of(server.request("GET", "/api/v1/notifications?cursor=2", {}, bearer(mom.access)));
    ASSERT_EQ(rest["items"].size(), 1U);
    EXPECT_EQ(rest["items"][0]["id"], 1);
    EXPECT_TRUE(rest["next_cursor"].is_null());

    const auto unread = [&](const member_session& who) {
        return json_of(server.request("GET", "/api/v1/notifications/unread-count", {},
                                      bearer(who.access)))["unread"]
            .get<int>();
    };
    EXPECT_EQ(unread(mom), 3);
    const auto read = [&](std::int64_t up_to) {
        return server.request("POST", "/api/v1/notifications/read",
                              nlohmann::json{{"up_to", up_to}}.dump(), bearer(mom.access));
    };
    auto marked = read(2);
    ASSERT_EQ(marked.status, 200) << marked.body;
    EXPECT_EQ(json_of(marked)["read_through"], 2);
    EXPECT_EQ(json_of(marked)["unread"], 1);
    EXPECT_EQ(json_of(read(1))["read_through"], 2);    // never backwards
    EXPECT_EQ(json_of(read(500))["read_through"], 3);  // never past the newest
    EXPECT_EQ(unread(mom), 0);
    const auto after =
        json_of(server.request("GET", "/api/v1/notifications", {}, bearer(mom.access)));
    EXPECT_EQ(after["items"][0]["unread"], false);

    // Another family sees none of it, and cannot mark it.
    EXPECT_EQ(unread(other), 0);
    EXPECT_TRUE(
        json_of(server.request("GET", "/api/v1/notifications", {}, bearer(other.access)))["items"]
            .empty());
    auto other_stream = open_stream(server, other, {{"Last-Event-ID", "0"}});
    EXPECT_TRUE(until_ready(*other_stream).empty());
    // The kid who joined later hears nothing of what happened before it.
    EXPECT_EQ(unread(kid), 0);

    expect_problem(read(-1), 422, "validation_failed");
    expect_problem(server.request("POST", "/api/v1/notifications/read", R"({"up_to":1,"x":2})",
                                  bearer(mom.access)),
                   422, "validation_failed");
    expect_problem(server.request("GET", "/api/v1/notifications?limit=0", {}, bearer(mom.access)),
                   422, "validation_failed");
    expect_problem(
        server.request("GET", "/api/v1/notifications?cursor=abc", {}, bearer(mom.access)), 422,
        "validation_failed");
    expect_problem(server.request("GET", "/api/v1/notifications"), 401, "unauthorized");
}

/// How many connections subscribe to a user's channel, asked of Redis itself.
int subscribers(std::uint16_t redis_port, std::int64_t user_id) {
    const auto command = "redis-cli -p " + std::to_string(redis_port) +
                         " PUBSUB NUMSUB poki:user:" + std::to_string(user_id);
    std::unique_ptr<FILE, decltype(&pclose)> pipe{popen(command.c_str(), "r"), &pclose};
    std::array<char, 128> line{};
    std::string out;
    while (pipe && fgets(line.data(), line.size(), pipe.get()) != nullptr) {
        out += line.data();
    }
    // Two lines: the channel, then its count.
    return std::stoi(out.substr(out.find('\n') + 1));
}

TEST(Events, AChangeThroughOneInstanceReachesAStreamOnAnother) {
    family_server fixture;
    running_server second{{.redis_port = fixture.redis.port()}};
    const auto mom = parent(fixture.server);
    EXPECT_EQ(subscribers(fixture.redis.port(), mom.id), 0);
    {
        auto stream = open_stream(second, mom);
        until_ready(*stream);
        // Only the instance holding the stream subscribes, once for both of the user's streams.
        auto another = open_stream(second, mom);
        until_ready(*another);
        EXPECT_EQ(subscribers(fixture.redis.port(), mom.id), 1);
        const auto kid = child(fixture.server, mom);
        for (auto* s : {stream.get(), another.get()}) {
            const auto joined = s->next(seconds{5});
            ASSERT_TRUE(joined);
            EXPECT_EQ(joined->type, "family.member_joined");
            EXPECT_EQ(nlohmann::json::parse(joined->data)["member"]["id"], kid.id);
        }
    }
    // The last stream closed: the instance unsubscribes.
    EXPECT_TRUE(eventually([&] { return subscribers(fixture.redis.port(), mom.id) == 0; }));
}

TEST(Events, AnEventWhosePublishIsLostArrivesThroughTheHeartbeatCheck) {
    family_server fixture;
    // Instance A commits events but never publishes them; B's streams must still get them.
    running_server silent{
        {.redis_port = fixture.redis.port(), .extra = {{"events", {{"publish", false}}}}}};
    running_server watcher{
        {.redis_port = fixture.redis.port(), .extra = {{"events", {{"heartbeat_s", 1}}}}}};
    const auto mom = parent(silent);
    auto stream = open_stream(watcher, mom);
    until_ready(*stream);
    join_and_leave(silent, mom);
    const auto first = stream->next(seconds{5});
    ASSERT_TRUE(first);
    EXPECT_EQ(first->id, "1");
    EXPECT_EQ(stream->next(seconds{5})->id, "2");
    // The heartbeat comment carries the newest number.
    ASSERT_FALSE(stream->comments().empty());
    const auto deadline = std::chrono::steady_clock::now() + seconds{5};
    while (stream->comments().back() != "2" && std::chrono::steady_clock::now() < deadline) {
        stream->next(milliseconds{200});
    }
    EXPECT_EQ(stream->comments().back(), "2");
}

TEST(Events, StreamsEndCleanlyOnSigterm) {
    family_server fixture;
    auto& server = fixture.server;
    const auto mom = parent(server);
    auto phone = open_stream(server, mom);
    auto browser = open_stream(server, mom);
    until_ready(*phone);
    until_ready(*browser);
    server.process().signal(SIGTERM);
    EXPECT_TRUE(phone->wait_closed(seconds{5}));
    EXPECT_TRUE(browser->wait_closed(seconds{5}));
    EXPECT_EQ(server.process().wait(seconds{10}), 0) << server.log();
}

}  // namespace
}  // namespace poki::test
