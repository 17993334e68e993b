// Creating requests honour Idempotency-Key on the real binary: a retry (sequential or racing
// the first) answers the first answer and makes nothing twice; the key is the caller's own;
// the same key with another request is refused. And sign-ins hash off the database pool, so a
// burst of them leaves other routes their connections.
#include <future>
#include <set>
#include <thread>

#include <gtest/gtest.h>
#include <pqxx/pqxx>

#include "support/family_api.hpp"

namespace poki::test {
namespace {

std::map<std::string, std::string> keyed(const member_session& who, const std::string& key) {
    auto headers = bearer(who.access);
    headers["Idempotency-Key"] = key;
    return headers;
}

int count(const std::string& sql) {
    pqxx::connection c{required_env("TEST_POKI_PG_URL")};
    pqxx::read_transaction tx{c};
    return tx.exec1(sql)[0].as<int>();
}

std::string mission_body(std::int64_t child_id, const std::string& title) {
    return nlohmann::json{{"child_id", child_id}, {"title", title}, {"reward", 2}}.dump();
}

TEST(Idempotency, ARetriedMissionIsCreatedOnceAndAnsweredAgain) {
    family_server fixture;
    const auto& server = fixture.server;
    const auto mom = parent(server);
    const auto kid = child(server, mom);
    const auto key = "mission-" + random_suffix();
    const auto body = mission_body(kid.id, "책 읽기");

    const auto first = server.request("POST", "/api/v1/missions", body, keyed(mom, key));
    ASSERT_EQ(first.status, 201) << first.body;
    EXPECT_EQ(first.header("idempotent-replayed"), "");
    const auto again = server.request("POST", "/api/v1/missions", body, keyed(mom, key));
    ASSERT_EQ(again.status, 201) << again.body;
    EXPECT_EQ(again.header("idempotent-replayed"), "true");
    EXPECT_EQ(json_of(again), json_of(first));  // the first answer, byte for byte in JSON
    EXPECT_EQ(count("SELECT count(*) FROM missions WHERE child_id = " + std::to_string(kid.id)), 1);

    // Without a key, every POST is a new mission (the key is what makes a retry a retry).
    ASSERT_EQ(server.request("POST", "/api/v1/missions", body, bearer(mom.access)).status, 201);
    EXPECT_EQ(count("SELECT count(*) FROM missions WHERE child_id = " + std::to_string(kid.id)), 2);

    // The same key with another request is refused, naming the header.
    const auto other = server.request("POST", "/api/v1/missions", mission_body(kid.id, "방 정리"),
                                      keyed(mom, key));
    expect_problem(other, 422, "validation_failed");
    EXPECT_EQ(json_of(other)["errors"][0]["field"], "Idempotency-Key") << other.body;

    // A bad key is refused before anything is made.
    expect_problem(server.request("POST", "/api/v1/missions", body, keyed(mom, "has space")), 422,
                   "validation_failed");
    expect_problem(
        server.request("POST", "/api/v1/missions", body, keyed(mom, std::string(101, 'k'))), 422,
        "validation_failed");
    EXPECT_EQ(count("SELECT count(*) FROM missions WHERE child_id = " + std::to_string(kid.id)), 2);
}

TEST(Idempotency, RetriesRacingTheFirstRequestStillMakeOneMission) {
    family_server fixture;
    const auto& server = fixture.server;
    const auto mom = parent(server);
    const auto kid = child(server, mom);
    const auto key = "race-" + random_suffix();
    const auto body = mission_body(kid.id, "이 닦기");

    std::vector<std::future<http_reply>> racers;
    racers.reserve(8);
    for (int i = 0; i < 8; ++i) {
        racers.push_back(std::async(std::launch::async, [&] {
            return server.request("POST", "/api/v1/missions", body, keyed(mom, key));
        }));
    }
    std::set<std::int64_t> ids;
    int replayed = 0;
    for (auto& r : racers) {
        const auto reply = r.get();
        ASSERT_EQ(reply.status, 201) << reply.body;
        ids.insert(json_of(reply)["id"].get<std::int64_t>());
        replayed += reply.header("idempotent-replayed") == "true" ? 1 : 0;
    }
    EXPECT_EQ(ids.size(), 1U);
    EXPECT_EQ(replayed, 7);
    EXPECT_EQ(count("SELECT count(*) FROM missions WHERE child_id = " + std::to_string(kid.id)), 1);
    EXPECT_EQ(count("SELECT count(*) FROM events WHERE user_id = " + std::to_string(kid.id) +
                    " AND type = 'mission.assigned'"),
              1);  // and its event was recorded once
}

TEST(Idempotency, KeysBelongToTheirSenderAndWishlistsHonourThemToo) {
    family_server fixture;
    const auto& server = fixture.server;
    const auto mom = parent(server);
    const auto kid = child(server, mom);
    const auto other_mom = parent(server);
    const auto other_kid = child(server, other_mom);
    const std::string key = "shared-key-" + random_suffix();

    // Two families choosing the same key get a mission each: one sender's key says nothing
    // about another's, and no answer crosses between families.
    const auto ours =
        server.request("POST", "/api/v1/missions", mission_body(kid.id, "줄넘기"), keyed(mom, key));
    const auto theirs = server.request("POST", "/api/v1/missions",
                                       mission_body(other_kid.id, "줄넘기"), keyed(other_mom, key));
    ASSERT_EQ(ours.status, 201) << ours.body;
    ASSERT_EQ(theirs.status, 201) << theirs.body;
    EXPECT_EQ(theirs.header("idempotent-replayed"), "");
    EXPECT_NE(json_of(ours)["id"], json_of(theirs)["id"]);
    EXPECT_EQ(json_of(theirs)["child_id"], other_kid.id);

    // A free-text wish retried with its key is added once.
    const auto wish_path = "/api/v1/children/" + std::to_string(kid.id) + "/wishlist";
    const auto wish = nlohmann::json{{"name", "공룡 인형"}}.dump();
    const auto wish_key = "wish-" + random_suffix();
    const auto added = server.request("POST", wish_path, wish, keyed(kid, wish_key));
    ASSERT_EQ(added.status, 201) << added.body;
    const auto retried = server.request("POST", wish_path, wish, keyed(kid, wish_key));
    ASSERT_EQ(retried.status, 201) << retried.body;
    EXPECT_EQ(retried.header("idempotent-replayed"), "true");
    EXPECT_EQ(json_of(retried)["id"], json_of(added)["id"]);
    const auto list = server.request("GET", wish_path, {}, bearer(kid.access));
    EXPECT_EQ(json_of(list)["items"].size(), 1U) << list.body;
}

TEST(PasswordHashing, ABurstOfSignInsLeavesOtherRoutesTheirConnections) {
    own_redis redis;
    // Two connections that give up within 200 ms, one hashing thread and a real scrypt cost:
    // had hashing held a connection, the reads below would wait behind it and get 503.
    running_server server{{.redis_port = redis.port(),
                           .extra = {{"database", {{"pool_size", 2}, {"acquire_timeout_ms", 200}}},
                                     {"auth",
                                      {{"scrypt_log2_n", 14},
                                       {"hash_threads", 1},
                                       {"hash_queue_limit", 6},
                                       {"login_attempts_per_account", 1000},
                                       {"login_attempts_per_address", 1000}}}}}};
    const auto email = "burst-" + random_suffix() + "@example.com";
    const auto signup = server.request(
        "POST", "/api/v1/auth/signup",
        nlohmann::json{{"email", email}, {"password", "correct horse"}, {"display_name", "엄마"}}
            .dump());
    ASSERT_EQ(signup.status, 201) << signup.body;
    const std::string access = json_of(signup)["access_token"];
    const auto login = nlohmann::json{{"email", email}, {"password", "correct horse"}}.dump();

    std::vector<std::future<http_reply>> logins;
    logins.reserve(16);
    for (int i = 0; i < 16; ++i) {
        logins.push_back(std::async(std::launch::async, [&] {
            return server.request("POST", "/api/v1/auth/login", login);
        }));
    }
    int reads_ok = 0;
    for (int i = 0; i < 20; ++i) {
        const auto r = server.request("GET", "/api/v1/family", {}, bearer(access));
        EXPECT_EQ(r.status, 200) << r.body;
        reads_ok += r.status == 200 ? 1 : 0;
    }
    int signed_in = 0;
    int turned_away = 0;
    for (auto& l : logins) {
        const auto r = l.get();
        if (r.status == 200) {
            ++signed_in;
        } else {
            // Past the hashing queue's bound a sign-in is told to come back, never left waiting.
            expect_problem(r, 503, "unavailable");
            EXPECT_EQ(r.header("retry-after"), "1");
            ++turned_away;
        }
    }
    EXPECT_EQ(reads_ok, 20);
    EXPECT_GE(signed_in, 6);  // the queue's worth always gets through
    EXPECT_EQ(signed_in + turned_away, 16);
    // A sign-in after the burst is served as usual.
    EXPECT_EQ(server.request("POST", "/api/v1/auth/login", login).status, 200);
}

}  // namespace
}  // namespace poki::test
