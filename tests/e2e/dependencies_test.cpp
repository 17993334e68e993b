// The real binary while what it depends on fails: Redis killed, Redis back empty, and
// PostgreSQL frozen. What keeps working and what refuses is the contract README states.
#include <future>

#include <gtest/gtest.h>
#include <pqxx/pqxx>

#include "support/family_api.hpp"
#include "support/grape_api.hpp"

namespace poki::test {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using clock_type = std::chrono::steady_clock;

http_reply send_chat(const running_server& server, const member_session& who, std::int64_t room,
                     const std::string& text) {
    // A fresh UUID-shaped id from random bytes, so a retry of the test never collides.
    std::string id = "00000000-0000-4000-8000-";
    for (const auto byte : crypto::random_bytes(6)) {
        constexpr std::string_view hex = "0123456789abcdef";
        id += hex[static_cast<unsigned char>(byte) >> 4U];
        id += hex[static_cast<unsigned char>(byte) & 0xFU];
    }
    const nlohmann::json body{{"client_id", id}, {"text", text}};
    return server.request("POST", "/api/v1/chat/rooms/" + std::to_string(room) + "/messages",
                          body.dump(), bearer(who.access));
}

/// Every authenticated route a removed member once got back into refuses them the same way.
void expect_locked_out(const running_server& server, const member_session& removed,
                       std::int64_t room) {
    const std::vector<std::string> paths{
        "/api/v1/me",         "/api/v1/family",
        "/api/v1/chat/rooms", "/api/v1/notifications",
        "/api/v1/missions",   "/api/v1/chat/rooms/" + std::to_string(room) + "/messages"};
    for (const auto& path : paths) {
        const auto r = server.request("GET", path, {}, bearer(removed.access));
        EXPECT_EQ(r.status, 401) << path << ": " << r.body;
    }
}

struct redis_world {
    own_redis redis;
    running_server a{
        {.redis_port = redis.port(), .extra = {{"auth", {{"revocation_poll_ms", 200}}}}}};
    running_server b{
        {.redis_port = redis.port(), .extra = {{"auth", {{"revocation_poll_ms", 200}}}}}};
};

TEST(Dependencies, WithRedisDownTheServiceWorksOnPostgresAndRemovedMembersStayOut) {
    redis_world w;
    const auto mom = parent(w.a);
    const auto kid = child(w.a, mom);
    const auto removed_before = child(w.a, mom);
    const auto removed_during = child(w.a, mom);
    const auto room = family_room(w.a, mom);
    remove_member(w.a, mom, removed_before.id);
    // The other instance learns it from PostgreSQL within auth.revocation_poll_ms.
    ASSERT_TRUE(eventually(
        [&] {
            return w.b.request("GET", "/api/v1/family", {}, bearer(removed_before.access)).status ==
                   401;
        },
        seconds{3}));

    // A mixed load on both instances for the whole outage and the return: every send it gets
    // acknowledged must be stored once, and no read or write of PostgreSQL data may fail.
    std::atomic<bool> loading{true};
    std::atomic<int> failures{0};
    std::mutex acked_mutex;
    std::vector<std::string> acked;
    std::thread load{[&] {
        for (int i = 0; loading; ++i) {
            const auto& server = i % 2 == 0 ? w.a : w.b;
            const auto client_id = "00000000-0000-4000-9000-" + std::to_string(200000000000 + i);
            const auto sent =
                server.request("POST", "/api/v1/chat/rooms/" + std::to_string(room) + "/messages",
                               nlohmann::json{{"client_id", client_id}, {"text", "load"}}.dump(),
                               bearer(kid.access));
            if (sent.status == 201) {
                const std::lock_guard lock{acked_mutex};
                acked.push_back(client_id);
            } else {
                ++failures;
            }
            if (server.request("GET", child_path(kid.id, "/board"), {}, bearer(mom.access))
                    .status != 200) {
                ++failures;
            }
            if (award(server, mom, kid.id, 1).status != 201) {
                ++failures;
            }
        }
    }};
    struct stop_load {
        std::atomic<bool>& flag;
        std::thread& thread;
        ~stop_load() {
            flag = false;
            if (thread.joinable()) {
                thread.join();
            }
        }
    } stopper{loading, load};
    std::this_thread::sleep_for(milliseconds{300});
    w.redis.stop();
    ASSERT_TRUE(eventually([&] { return w.a.request("GET", "/readyz").status == 503; }));
    EXPECT_EQ(json_of(w.a.request("GET", "/readyz"))["checks"]["redis"], "down");

    // What lives in PostgreSQL keeps working.
    EXPECT_EQ(w.a.request("GET", "/api/v1/me", {}, bearer(mom.access)).status, 200);
    EXPECT_EQ(w.a.request("GET", "/api/v1/family", {}, bearer(mom.access)).status, 200);
    EXPECT_EQ(w.a.request("GET", child_path(kid.id, "/board"), {}, bearer(mom.access)).status, 200);
    EXPECT_EQ(send_chat(w.a, kid, room, "while redis is away").status, 201);
    EXPECT_EQ(w.b.request("GET", "/api/v1/chat/rooms/" + std::to_string(room) + "/messages", {},
                          bearer(mom.access))
                  .status,
              200);
    EXPECT_EQ(award(w.a, mom, kid.id, 3).status, 201);
    const auto mission = create_mission(w.b, mom, kid.id, 2);
    EXPECT_EQ(mission_action(w.b, kid, mission["id"], "submit").status, 200);
    EXPECT_EQ(mission_action(w.a, mom, mission["id"], "approve").status, 200);
    EXPECT_EQ(w.b.request("GET", "/api/v1/gifts?q=dino", {}, bearer(kid.access)).status, 200);
    EXPECT_EQ(
        w.a.request("GET", "/api/v1/notifications/unread-count", {}, bearer(kid.access)).status,
        200);
    const auto login =
        w.a.request("POST", "/api/v1/auth/login",
                    nlohmann::json{{"login", "nobody-here"}, {"password", "wrong horse"}}.dump());
    EXPECT_EQ(login.status, 401) << login.body;  // judged, not refused
    // What only Redis holds refuses clearly.
    expect_problem(w.a.request("POST", "/api/v1/stream-tickets", {}, bearer(mom.access)), 503,
                   "unavailable");
    expect_problem(
        w.a.request("POST", "/api/v1/family/link-codes", R"({"role":"child"})", bearer(mom.access)),
        503, "unavailable");
    expect_problem(join(w.a, "ABCDEFGH", "late-joiner"), 503, "unavailable");

    // Removed before the outage: out on both instances. Removed during it: out at once here,
    // and on the other instance within the poll bound, with no Redis to carry it.
    expect_locked_out(w.a, removed_before, room);
    expect_locked_out(w.b, removed_before, room);
    remove_member(w.a, mom, removed_during.id);
    expect_locked_out(w.a, removed_during, room);
    EXPECT_TRUE(eventually(
        [&] {
            return w.b.request("GET", "/api/v1/family", {}, bearer(removed_during.access)).status ==
                   401;
        },
        seconds{3}));
    expect_locked_out(w.b, removed_during, room);

    // Redis comes back with nothing in it: the removed stay out, tickets work again.
    w.redis.start();
    ASSERT_TRUE(eventually([&] { return w.a.request("GET", "/readyz").status == 200; }));
    expect_locked_out(w.a, removed_before, room);
    expect_locked_out(w.b, removed_during, room);
    EXPECT_EQ(w.a.request("POST", "/api/v1/stream-tickets", {}, bearer(mom.access)).status, 201);

    std::this_thread::sleep_for(milliseconds{300});
    loading = false;
    load.join();
    EXPECT_EQ(failures.load(), 0);

    // Nothing acknowledged during the outage was lost.
    pqxx::connection c{required_env("TEST_POKI_PG_URL")};
    pqxx::nontransaction tx{c};
    EXPECT_GT(acked.size(), 10U);
    for (const auto& id : acked) {
        // In this room: the ids are the same in every run, and a database may hold old runs.
        EXPECT_EQ(
            tx.exec_params1(
                  "SELECT count(*) FROM chat_messages WHERE client_id = $1::uuid AND room_id = $2",
                  id, room)[0]
                .as<int>(),
            1)
            << id;
    }
    const auto balance = tx.exec_params1(
                               "SELECT balance FROM grape_ledger WHERE child_id = $1"
                               " ORDER BY id DESC LIMIT 1",
                               kid.id)[0]
                             .as<int>();
    EXPECT_EQ(balance,
              tx.exec_params1("SELECT sum(amount) FROM grape_ledger WHERE child_id = $1", kid.id)[0]
                  .as<int>());
    EXPECT_EQ(tx.exec_params1("SELECT count(*) FROM chat_messages WHERE room_id = $1 AND"
                              " body = 'while redis is away'",
                              room)[0]
                  .as<int>(),
              1);
}

/// Thaws PostgreSQL however the test ends: a frozen shared server would hang every test after.
struct frozen_postgres {
    frozen_postgres() { stack_control("pg-freeze"); }
    ~frozen_postgres() { thaw(); }
    frozen_postgres(const frozen_postgres&) = delete;
    frozen_postgres& operator=(const frozen_postgres&) = delete;
    void thaw() {
        if (!thawed_) {
            thawed_ = true;
            stack_control("pg-thaw");
        }
    }

  private:
    bool thawed_ = false;
};

TEST(Dependencies, AFrozenDatabaseGetsEveryRequestA503WithinTheBound) {
    own_redis redis;
    // Stated bound: database.query_timeout_ms (here 2 s); /readyz within a second.
    running_server server{
        {.redis_port = redis.port(),
         .extra = {{"database", {{"query_timeout_ms", 2000}, {"acquire_timeout_ms", 1000}}}}}};
    const auto mom = parent(server);
    const auto kid = child(server, mom);
    const auto room = family_room(server, mom);

    struct timed {
        int status = 0;
        double seconds = 0;
    };
    const auto timed_request = [&](const std::string& method, const std::string& path,
                                   const std::string& body,
                                   std::map<std::string, std::string> headers) {
        const auto start = clock_type::now();
        const auto r = server.request(method, path, body, std::move(headers));
        return timed{r.status, std::chrono::duration<double>(clock_type::now() - start).count()};
    };
    frozen_postgres frozen;
    std::vector<std::future<timed>> db_bound;
    for (int round = 0; round < 3; ++round) {
        db_bound.push_back(std::async(std::launch::async, timed_request, "GET", "/api/v1/me",
                                      std::string{}, bearer(mom.access)));
        db_bound.push_back(std::async(std::launch::async, timed_request, "GET",
                                      child_path(kid.id, "/board"), std::string{},
                                      bearer(mom.access)));
        db_bound.push_back(std::async(
            std::launch::async, timed_request, "POST",
            "/api/v1/chat/rooms/" + std::to_string(room) + "/messages",
            nlohmann::json{
                {"client_id", "00000000-0000-4000-8000-00000000000" + std::to_string(round)},
                {"text", "frozen"}}
                .dump(),
            bearer(kid.access)));
        db_bound.push_back(
            std::async(std::launch::async, timed_request, "POST", "/api/v1/auth/login",
                       nlohmann::json{{"login", "x"}, {"password", "wrong horse"}}.dump(),
                       std::map<std::string, std::string>{}));
    }
    const auto ready = timed_request("GET", "/readyz", {}, {});
    EXPECT_EQ(ready.status, 503);
    EXPECT_LT(ready.seconds, 1.0);
    const auto alive = timed_request("GET", "/healthz", {}, {});
    EXPECT_EQ(alive.status, 200);
    for (auto& f : db_bound) {
        const auto t = f.get();
        EXPECT_EQ(t.status, 503);
        EXPECT_LT(t.seconds, 4.0);  // 2 s bound, plus scheduling on a busy machine
    }
    frozen.thaw();
    EXPECT_TRUE(eventually(
        [&] { return server.request("GET", "/api/v1/me", {}, bearer(mom.access)).status == 200; }));
    EXPECT_EQ(server.request("GET", "/readyz").status, 200);
}

}  // namespace
}  // namespace poki::test
