// Acknowledged data survives a crash, and a retried write is made once. A write load (chat
// sends with client_id, awards and missions and reservations with Idempotency-Key, mission
// submit and approve) runs while the server is SIGKILLed at random moments and restarted,
// and while PostgreSQL restarts under it; afterwards PostgreSQL is asked directly.
#include <atomic>
#include <mutex>
#include <random>
#include <set>
#include <thread>

#include <gtest/gtest.h>
#include <pqxx/pqxx>

#include "support/family_api.hpp"
#include "support/grape_api.hpp"
#include "support/sse_client.hpp"

namespace poki::test {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using clock_type = std::chrono::steady_clock;

/// A request whose connection failed is a status of 0, not an exception.
http_reply attempt(const running_server& server, const std::string& method,
                   const std::string& target, const std::string& body,
                   std::map<std::string, std::string> headers) {
    try {
        return server.request(method, target, body, std::move(headers));
    } catch (const std::exception& e) {
        return {0, {}, e.what()};
    }
}

/// What a careful client does with a write: send it, and when no answer came (the server
/// died) or the answer was 503 (a dependency is away), send the same write again, with the
/// same identity, until it is answered. `done` says which answers end it.
struct retrying_client {
    const running_server& server;
    std::atomic<int>& resent;
    std::atomic<bool>& giving_up;

    http_reply until(const std::function<bool(const http_reply&)>& done, const std::string& method,
                     const std::string& target, const std::string& body,
                     const std::map<std::string, std::string>& headers) const {
        while (true) {
            auto r = attempt(server, method, target, body, headers);
            if (done(r) || giving_up) {
                return r;
            }
            if (r.status != 0 && r.status != 503) {
                return r;  // an answer, and not one to wait out: the caller judges it
            }
            ++resent;
            std::this_thread::sleep_for(milliseconds{40});
        }
    }
};

bool is_2xx(const http_reply& r) {
    return r.status >= 200 && r.status < 300;
}

/// Every write the load made, by the identity it was sent with.
struct ledger_of_writes {
    std::mutex mutex;
    std::vector<std::string> messages;      ///< client_id
    std::vector<std::string> awards;        ///< Idempotency-Key, also the award's reason
    std::vector<std::string> missions;      ///< title, unique per mission
    std::vector<std::string> reservations;  ///< title
    std::vector<std::string> wrong;         ///< answers that were neither 2xx nor expected

    void add(std::vector<std::string> ledger_of_writes::*list, std::string id) {
        const std::lock_guard lock{mutex};
        (this->*list).push_back(std::move(id));
    }
    void refuse(const std::string& what, const http_reply& r) {
        const std::lock_guard lock{mutex};
        wrong.push_back(what + ": " + std::to_string(r.status) + " " + r.body);
    }
};

struct family_under_load {
    member_session mom;
    member_session kid;
    std::int64_t room = 0;
};

/// The load: four kinds of write side by side until `loading` goes false.
class write_load {
  public:
    write_load(const running_server& server, family_under_load f)
        : client_{server, resent, giving_up}, f_{std::move(f)} {
        threads_.emplace_back([this] { loop([this](int i) { send_message(i); }); });
        threads_.emplace_back([this] { loop([this](int i) { give_award(i); }); });
        threads_.emplace_back([this] { loop([this](int i) { run_mission(i); }); });
        threads_.emplace_back([this] { loop([this](int i) { plan_reservation(i); }); });
    }
    ~write_load() { stop(); }
    write_load(const write_load&) = delete;
    write_load& operator=(const write_load&) = delete;

    void stop() {
        loading_ = false;
        threads_.clear();
    }
    [[nodiscard]] int acknowledged() const { return acknowledged_; }

    ledger_of_writes writes;
    std::atomic<int> resent{0};
    std::atomic<bool> giving_up{false};

  private:
    void loop(const std::function<void(int)>& write_one) {
        for (int i = 0; loading_; ++i) {
            write_one(i);
        }
    }

    [[nodiscard]] std::map<std::string, std::string> as(const member_session& who,
                                                        const std::string& key = {}) const {
        auto h = bearer(who.access);
        h["Content-Type"] = "application/json";
        if (!key.empty()) {
            h["Idempotency-Key"] = key;
        }
        return h;
    }

    void send_message(int) {
        const auto id = new_uuid();
        const auto r = client_.until(
            is_2xx, "POST", "/api/v1/chat/rooms/" + std::to_string(f_.room) + "/messages",
            nlohmann::json{{"client_id", id}, {"text", "crash " + id}}.dump(), as(f_.mom));
        record(&ledger_of_writes::messages, id, "message", r);
    }

    void give_award(int) {
        const auto key = new_uuid();
        const auto r =
            client_.until(is_2xx, "POST", child_path(f_.kid.id, "/grapes"),
                          nlohmann::json{{"amount", 1}, {"reason", key}}.dump(), as(f_.mom, key));
        record(&ledger_of_writes::awards, key, "award", r);
    }

    void run_mission(int i) {
        const auto title = "m" + std::to_string(i) + "-" + new_uuid().substr(0, 8);
        const auto made = client_.until(
            is_2xx, "POST", "/api/v1/missions",
            nlohmann::json{{"child_id", f_.kid.id}, {"title", title}, {"reward", 1}}.dump(),
            as(f_.mom, new_uuid()));
        if (!is_2xx(made)) {
            writes.refuse("mission " + title, made);
            return;
        }
        const auto id = json_of(made)["id"].get<std::int64_t>();
        // A retried submit or approve may find its first attempt done: 409 in the next state.
        const auto done_or = [](const char* state) {
            return [state](const http_reply& r) {
                return is_2xx(r) || (r.status == 409 && r.body.find(state) != std::string::npos);
            };
        };
        const auto submitted = client_.until(done_or("submitted"), "POST",
                                             mission_path(id, "/submit"), "{}", as(f_.kid));
        const auto approved = client_.until(done_or("approved"), "POST",
                                            mission_path(id, "/approve"), "{}", as(f_.mom));
        if (!is_2xx(submitted) && submitted.status != 409) {
            writes.refuse("submit " + title, submitted);
        }
        record(&ledger_of_writes::missions, title, "approve", approved, 409);
    }

    void plan_reservation(int i) {
        const auto title = "r" + std::to_string(i) + "-" + new_uuid().substr(0, 8);
        const auto r = client_.until(is_2xx, "POST", "/api/v1/reservations",
                                     nlohmann::json{{"child_id", f_.kid.id},
                                                    {"title", title},
                                                    {"reward", 1},
                                                    {"starts_on", "2031-01-01"},
                                                    {"at", "19:00"},
                                                    {"repeat", nullptr}}
                                         .dump(),
                                     as(f_.mom, new_uuid()));
        record(&ledger_of_writes::reservations, title, "reservation", r);
    }

    void record(std::vector<std::string> ledger_of_writes::*list, const std::string& id,
                const std::string& what, const http_reply& r, int also_done = 0) {
        if (is_2xx(r) || (also_done != 0 && r.status == also_done)) {
            ++acknowledged_;
            writes.add(list, id);
        } else if (!giving_up) {
            writes.refuse(what + " " + id, r);
        }
    }

    retrying_client client_;
    family_under_load f_;
    std::atomic<bool> loading_{true};
    std::atomic<int> acknowledged_{0};
    std::vector<std::jthread> threads_;
};

/// The kid's event stream, read for the whole test: after every disconnect it resumes with
/// the last id it saw, as EventSource does.
class resuming_reader {
  public:
    resuming_reader(const running_server& server, const member_session& kid)
        : thread_{[this, &server, kid](const std::stop_token& stop) { read(server, kid, stop); }} {}

    /// The ids in the order they arrived.
    [[nodiscard]] std::vector<std::int64_t> ids() {
        const std::lock_guard lock{mutex_};
        return ids_;
    }
    [[nodiscard]] int reconnects() const { return reconnects_; }

  private:
    void read(const running_server& server, const member_session& kid,
              const std::stop_token& stop) {
        std::string last;
        while (!stop.stop_requested()) {
            try {
                auto headers = bearer(kid.access);
                if (!last.empty()) {
                    headers["Last-Event-ID"] = last;
                }
                sse_client stream{server.port(), "/api/v1/events", headers};
                // A 503 (the database is away) is retried, as EventSource retries it.
                while (stream.status() == 200 && !stop.stop_requested()) {
                    const auto m = stream.next(milliseconds{200});
                    // `ready` repeats the last id to say the stream is live: no event of its own.
                    if (m && !m->id.empty() && m->type != "ready") {
                        last = m->id;
                        const std::lock_guard lock{mutex_};
                        ids_.push_back(std::stoll(m->id));
                    } else if (stream.closed()) {
                        break;
                    }
                }
            } catch (const std::exception&) {  // NOLINT(bugprone-empty-catch): not up yet
            }
            ++reconnects_;
            std::this_thread::sleep_for(milliseconds{50});
        }
    }

    std::mutex mutex_;
    std::vector<std::int64_t> ids_;
    std::atomic<int> reconnects_{0};
    std::jthread thread_;
};

family_under_load sign_up_family_under_load(const running_server& server) {
    family_under_load f;
    f.mom = parent(server);
    f.kid = child(server, f.mom);
    f.room = family_room(server, f.mom);
    return f;
}

/// Every write acknowledged is stored exactly once, and the kid's board equals its ledger.
void expect_each_write_once(ledger_of_writes& writes, const family_under_load& f) {
    EXPECT_TRUE(writes.wrong.empty()) << ::testing::PrintToString(writes.wrong);
    pqxx::connection c{required_env("TEST_POKI_PG_URL")};
    pqxx::nontransaction tx{c};
    const auto count = [&](const std::string& sql, const std::string& id) {
        return tx.exec_params1(sql, id, f.kid.id)[0].as<int>();
    };
    for (const auto& id : writes.messages) {
        EXPECT_EQ(tx.exec_params1("SELECT count(*) FROM chat_messages WHERE client_id = $1::uuid"
                                  " AND room_id = $2",
                                  id, f.room)[0]
                      .as<int>(),
                  1)
            << "message " << id;
    }
    for (const auto& key : writes.awards) {
        EXPECT_EQ(
            count("SELECT count(*) FROM grape_ledger WHERE reason = $1 AND child_id = $2", key), 1)
            << "award " << key;
    }
    for (const auto& title : writes.missions) {
        EXPECT_EQ(count("SELECT count(*) FROM missions m JOIN grape_ledger l ON l.mission_id = m.id"
                        " WHERE m.title = $1 AND m.child_id = $2 AND m.status = 'approved'",
                        title),
                  1)
            << "mission " << title;
        EXPECT_EQ(count("SELECT count(*) FROM missions WHERE title = $1 AND child_id = $2", title),
                  1)
            << "mission " << title;
    }
    for (const auto& title : writes.reservations) {
        EXPECT_EQ(
            count("SELECT count(*) FROM reservations WHERE title = $1 AND child_id = $2", title), 1)
            << "reservation " << title;
    }
    const auto ledger = tx.exec_params1(
        "SELECT COALESCE(sum(amount), 0), (SELECT balance FROM grape_ledger WHERE child_id = $1"
        " ORDER BY id DESC LIMIT 1) FROM grape_ledger WHERE child_id = $1",
        f.kid.id);
    EXPECT_EQ(ledger[0].as<int>(), ledger[1].as<int>()) << "the balance is not its ledger's sum";
    // Each member's events are numbered 1, 2, 3 … with nothing missing.
    const auto events = tx.exec_params1(
        "SELECT count(*), COALESCE(max(seq), 0) FROM events WHERE user_id = $1", f.kid.id);
    EXPECT_EQ(events[0].as<std::int64_t>(), events[1].as<std::int64_t>());
}

/// The stream saw every id once, in order, with no gap, up to the newest.
void expect_stream_without_gap(const std::vector<std::int64_t>& ids, std::int64_t newest) {
    ASSERT_FALSE(ids.empty());
    for (std::size_t i = 1; i < ids.size(); ++i) {
        ASSERT_EQ(ids[i], ids[i - 1] + 1) << "after " << ids[i - 1];
    }
    EXPECT_EQ(ids.back(), newest);
}

std::int64_t newest_event(std::int64_t user_id) {
    pqxx::connection c{required_env("TEST_POKI_PG_URL")};
    pqxx::nontransaction tx{c};
    return tx
        .exec_params1("SELECT COALESCE(max(seq), 0) FROM events WHERE user_id = $1", user_id)[0]
        .as<std::int64_t>();
}

/// The reader gets to the user's newest event, having seen every one before it once.
void expect_stream_caught_up_without_gap(resuming_reader& reader, std::int64_t user_id) {
    const auto newest = newest_event(user_id);
    EXPECT_TRUE(eventually([&] {
        const auto ids = reader.ids();
        return !ids.empty() && ids.back() == newest;
    }));
    expect_stream_without_gap(reader.ids(), newest);
}

TEST(CrashSafety, SigkillUnderWriteLoadLosesNothingAcknowledgedAndMakesNothingTwice) {
    running_server server{{.extra = {{"events", {{"heartbeat_s", 1}}}}}};
    const auto f = sign_up_family_under_load(server);
    resuming_reader reader{server, f.kid};
    write_load load{server, f};
    std::mt19937 random{std::random_device{}()};
    for (int crash = 0; crash < 4; ++crash) {
        // A random moment: anywhere in a write, a commit, an answer or a stream's catch-up.
        const auto before = load.acknowledged();
        ASSERT_TRUE(eventually([&] { return load.acknowledged() > before + 20; }, seconds{30}));
        std::this_thread::sleep_for(milliseconds{std::uniform_int_distribution{0, 700}(random)});
        server.crash();
        server.start();
    }
    const auto before = load.acknowledged();
    ASSERT_TRUE(eventually([&] { return load.acknowledged() > before + 20; }, seconds{30}));
    load.stop();
    EXPECT_GT(load.resent.load(), 0) << "no write was caught by a crash: the test proves nothing";
    expect_each_write_once(load.writes, f);
    expect_stream_caught_up_without_gap(reader, f.kid.id);
    EXPECT_GE(reader.reconnects(), 4);
}

TEST(CrashSafety, PostgresRestartedUnderLoadAnswers503QuicklyAndLosesNothing) {
    running_server server{
        {.extra = {{"events", {{"heartbeat_s", 1}}},
                   {"database", {{"query_timeout_ms", 2000}, {"acquire_timeout_ms", 1000}}}}}};
    const auto f = sign_up_family_under_load(server);
    resuming_reader reader{server, f.kid};
    write_load load{server, f};
    ASSERT_TRUE(eventually([&] { return load.acknowledged() > 20; }, seconds{30}));

    // While PostgreSQL is down every answer comes within the stated bound, and is a 503.
    stack_control("pg-stop");
    const auto asked = clock_type::now();
    const auto r = attempt(server, "GET", "/api/v1/me", {}, bearer(f.mom.access));
    const auto took = clock_type::now() - asked;
    EXPECT_EQ(r.status, 503) << r.body;
    EXPECT_LT(took, seconds{4});
    EXPECT_EQ(attempt(server, "GET", "/readyz", {}, {}).status, 503);
    std::this_thread::sleep_for(milliseconds{500});
    stack_control("pg-start");

    ASSERT_TRUE(
        eventually([&] { return server.request("GET", "/readyz").status == 200; }, seconds{20}));
    const auto before = load.acknowledged();
    ASSERT_TRUE(eventually([&] { return load.acknowledged() > before + 20; }, seconds{30}));
    load.stop();
    expect_each_write_once(load.writes, f);
    expect_stream_caught_up_without_gap(reader, f.kid.id);
}

TEST(CrashSafety, WithRedisKilledLiveEventsComeThroughReconciliationAndJoinsRefuse) {
    own_redis redis;
    running_server server{
        {.redis_port = redis.port(), .extra = {{"events", {{"heartbeat_s", 1}}}}}};
    const auto f = sign_up_family_under_load(server);
    const auto code = link_code(server, f.mom, "child");
    sse_client stream{server.port(), "/api/v1/events", bearer(f.kid.access)};
    ASSERT_EQ(stream.status(), 200);

    redis.stop();
    ASSERT_TRUE(eventually([&] { return server.request("GET", "/readyz").status == 503; }));
    // No pub/sub: the stream's own check of PostgreSQL (every heartbeat) brings the message.
    const auto sent =
        server.request("POST", "/api/v1/chat/rooms/" + std::to_string(f.room) + "/messages",
                       nlohmann::json{{"client_id", new_uuid()}, {"text", "redis is away"}}.dump(),
                       bearer(f.mom.access));
    ASSERT_EQ(sent.status, 201) << sent.body;
    const auto live = stream.next_of_type("chat.message", seconds{5});
    ASSERT_TRUE(live.has_value());
    EXPECT_EQ(nlohmann::json::parse(live->data)["message"]["id"], json_of(sent)["id"]);
    // A join needs the code Redis holds: refused clearly, and it works once Redis is back.
    expect_problem(join(server, code, "kid-" + random_suffix().substr(0, 6)), 503, "unavailable");
    redis.start();
    ASSERT_TRUE(eventually([&] { return server.request("GET", "/readyz").status == 200; }));
}

}  // namespace
}  // namespace poki::test
