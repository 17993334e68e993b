// Reservations over HTTP on the real binary: a family's time zone, a planned mission that
// becomes a live mission when its time comes, every refusal (roles, families, bad input,
// ranges), and exactly-once activation across an instance killed with SIGKILL mid-run.
#include <csignal>
#include <set>
#include <thread>

#include <gtest/gtest.h>
#include <pqxx/pqxx>

#include "poki/core/timestamp.hpp"
#include "poki/schedule/schedule_json.hpp"
#include "poki/schedule/time_zones.hpp"

#include "support/family_api.hpp"
#include "support/sse_client.hpp"

namespace poki::test {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

std::string reservation_path(std::int64_t id, std::string_view rest = {}) {
    return "/api/v1/reservations/" + std::to_string(id) + std::string{rest};
}

/// A reservation body for `child`: once, at `local` in the family's zone.
nlohmann::json once_at(std::int64_t child, date::local_seconds local) {
    const auto day = date::floor<date::days>(local);
    return {{"child_id", child},
            {"title", "물 마시기"},
            {"reward", 2},
            {"due_minutes", 30},
            {"starts_on", schedule::format_date(day)},
            {"at", schedule::format_time_of_day(local - day)},
            {"repeat", nullptr}};
}

date::local_seconds local_now(std::string_view zone, seconds ahead = seconds{0}) {
    const auto now = std::chrono::floor<seconds>(std::chrono::system_clock::now()) + ahead;
    return schedule::to_local(*schedule::find_zone(zone), now);
}

/// An RFC 3339 instant `days` from now.
std::string day_from_now(int days) {
    return format_rfc3339(std::chrono::time_point_cast<milliseconds>(
        std::chrono::system_clock::now() + std::chrono::days{days}));
}

http_reply create(const running_server& server, const member_session& who,
                  const nlohmann::json& body) {
    return server.request("POST", "/api/v1/reservations", body.dump(), bearer(who.access));
}

TEST(Reservations, AFamilysTimeZoneIsAnIanaNameParentsChange) {
    family_server fixture;
    const auto& server = fixture.server;
    const auto mom = parent(server);
    const auto kid = child(server, mom);
    const auto family = server.request("GET", "/api/v1/family", {}, bearer(mom.access));
    EXPECT_EQ(json_of(family)["time_zone"], "Asia/Seoul");

    const auto changed = server.request("PATCH", "/api/v1/family",
                                        R"({"time_zone": "America/New_York"})", bearer(mom.access));
    ASSERT_EQ(changed.status, 200) << changed.body;
    EXPECT_EQ(json_of(changed)["time_zone"], "America/New_York");

    const auto unknown =
        server.request("PATCH", "/api/v1/family", R"({"time_zone": "+09:00"})", bearer(mom.access));
    expect_problem(unknown, 422, "validation_failed");
    EXPECT_EQ(field_problems(unknown), std::set<std::string>{"time_zone:unknown_time_zone"});
    expect_problem(server.request("PATCH", "/api/v1/family", "{}", bearer(mom.access)), 422,
                   "validation_failed");
    expect_problem(server.request("PATCH", "/api/v1/family", R"({"time_zone": "Europe/Paris"})",
                                  bearer(kid.access)),
                   403, "forbidden");
    EXPECT_EQ(json_of(server.request("GET", "/api/v1/family", {}, bearer(kid.access)))["time_zone"],
              "America/New_York");
}

TEST(Reservations, APlannedMissionAppearsOnTheChildsStreamAtItsTime) {
    own_redis redis;
    running_server server{{.redis_port = redis.port(),
                           .extra = {{"reservations", {{"activation_interval_ms", 200}}}}}};
    const auto mom = parent(server);
    const auto kid = child(server, mom);
    ASSERT_EQ(server
                  .request("PATCH", "/api/v1/family", R"({"time_zone": "America/New_York"})",
                           bearer(mom.access))
                  .status,
              200);
    sse_client kid_stream{server.port(), "/api/v1/events", bearer(kid.access)};
    ASSERT_TRUE(kid_stream.next_of_type("ready", seconds{5}));

    const auto made =
        create(server, mom, once_at(kid.id, local_now("America/New_York", seconds{3})));
    ASSERT_EQ(made.status, 201) << made.body;
    const auto reservation = json_of(made);
    const std::int64_t id = reservation["id"];
    EXPECT_EQ(reservation["state"], "active");
    EXPECT_EQ(reservation["time_zone"], "America/New_York");
    EXPECT_TRUE(reservation["repeat"].is_null());
    EXPECT_FALSE(kid_stream.next_of_type("mission.activated", milliseconds{500}));  // not yet

    const auto activated = kid_stream.next_of_type("mission.activated", seconds{10});
    ASSERT_TRUE(activated);
    const auto data = nlohmann::json::parse(activated->data);
    EXPECT_EQ(data["reservation_id"], id);
    EXPECT_EQ(data["mission"]["title"], "물 마시기");
    EXPECT_EQ(data["mission"]["status"], "assigned");
    EXPECT_EQ(data["mission"]["reward"], 2);
    const std::int64_t mission = data["mission"]["id"];

    const auto listed = server.request("GET", "/api/v1/missions", {}, bearer(kid.access));
    const auto items = json_of(listed)["items"];
    ASSERT_EQ(items.size(), 1U);
    EXPECT_EQ(items[0]["id"], mission);
    EXPECT_FALSE(items[0]["due_at"].is_null());

    const auto after = json_of(server.request("GET", reservation_path(id), {}, bearer(mom.access)));
    EXPECT_EQ(after["state"], "finished");
    EXPECT_TRUE(after["next_at"].is_null());
    const auto occurrences = server.request(
        "GET",
        reservation_path(id, "/occurrences?from=" + day_from_now(-1) + "&to=" + day_from_now(1)),
        {}, bearer(kid.access));
    ASSERT_EQ(occurrences.status, 200) << occurrences.body;
    const auto list = json_of(occurrences)["items"];
    ASSERT_EQ(list.size(), 1U);
    EXPECT_EQ(list[0]["state"], "activated");
    EXPECT_EQ(list[0]["mission_id"], mission);
    std::this_thread::sleep_for(milliseconds{600});  // more activation runs: still one mission
    EXPECT_EQ(
        json_of(server.request("GET", "/api/v1/missions", {}, bearer(mom.access)))["items"].size(),
        1U);
}

TEST(Reservations, RepeatsSkipsAndMovesOverHttp) {
    family_server fixture;
    const auto& server = fixture.server;
    const auto mom = parent(server);
    const auto kid = child(server, mom);
    const auto tomorrow = date::floor<date::days>(local_now("Asia/Seoul")) + date::days{1};
    auto body = once_at(kid.id, date::local_seconds{tomorrow} + std::chrono::hours{19});
    body["repeat"] = {{"every", "week"}, {"weekdays", {"mon", "wed", "fri"}}, {"count", 6}};
    const auto made = create(server, mom, body);
    ASSERT_EQ(made.status, 201) << made.body;
    const std::int64_t id = json_of(made)["id"];
    EXPECT_EQ(json_of(made)["repeat"]["weekdays"], (nlohmann::json{"mon", "wed", "fri"}));

    const auto listed =
        json_of(server.request("GET", reservation_path(id, "/occurrences?to=" + day_from_now(60)),
                               {}, bearer(mom.access)))["items"];
    ASSERT_EQ(listed.size(), 6U);
    for (const auto& o : listed) {
        EXPECT_EQ(o["state"], "upcoming");
        EXPECT_EQ(o["local_at"].get<std::string>().substr(11), "19:00:00");
    }
    const std::string first = listed[0]["on_date"];
    const std::string second = listed[1]["on_date"];
    const auto skipped = server.request("PUT", reservation_path(id, "/occurrences/" + first),
                                        R"({"skip": true})", bearer(mom.access));
    ASSERT_EQ(skipped.status, 200) << skipped.body;
    EXPECT_EQ(json_of(skipped)["next_at"], listed[1]["at"]);
    const auto moved =
        server.request("PUT", reservation_path(id, "/occurrences/" + second),
                       nlohmann::json{{"move_to", second + "T07:30"}}.dump(), bearer(mom.access));
    ASSERT_EQ(moved.status, 200) << moved.body;

    const auto refused = [&](const std::string& date, const std::string& change) {
        return server.request("PUT", reservation_path(id, "/occurrences/" + date), change,
                              bearer(mom.access));
    };
    EXPECT_EQ(field_problems(refused(first, R"({"skip": true, "move_to": "2030-01-01T00:00"})")),
              std::set<std::string>{"skip:one_of"});
    EXPECT_EQ(field_problems(refused(first, R"({})")), std::set<std::string>{"skip:one_of"});
    EXPECT_EQ(field_problems(refused(first, R"({"move_to": "tomorrow"})")),
              std::set<std::string>{"move_to:not_a_local_time"});
    expect_problem(refused("2026-02-30", R"({"skip": true})"), 422, "validation_failed");
    expect_problem(refused("2020-01-01", R"({"skip": true})"), 404, "not_found",
                   "no_such_occurrence");

    const auto paused =
        server.request("POST", reservation_path(id, "/pause"), {}, bearer(mom.access));
    EXPECT_EQ(json_of(paused)["state"], "paused");
    const auto resumed =
        server.request("POST", reservation_path(id, "/resume"), {}, bearer(mom.access));
    EXPECT_EQ(json_of(resumed)["state"], "active");

    const auto patched =
        server.request("PATCH", reservation_path(id), R"({"title": "피아노 연습", "tag": null})",
                       bearer(mom.access));
    ASSERT_EQ(patched.status, 200) << patched.body;
    EXPECT_EQ(json_of(patched)["title"], "피아노 연습");
    EXPECT_EQ(server.request("DELETE", reservation_path(id), {}, bearer(mom.access)).status, 204);
    expect_problem(server.request("GET", reservation_path(id), {}, bearer(mom.access)), 404,
                   "not_found");
}

TEST(Reservations, RolesFamiliesAndBadInputAreRefused) {
    family_server fixture;
    const auto& server = fixture.server;
    const auto mom = parent(server);
    const auto kid = child(server, mom);
    const auto sibling = child(server, mom);
    const auto other_mom = parent(server);
    const auto other_kid = child(server, other_mom);
    const auto later = local_now("Asia/Seoul", seconds{86400});
    const auto made = create(server, mom, once_at(kid.id, later));
    ASSERT_EQ(made.status, 201) << made.body;
    const std::int64_t id = json_of(made)["id"];

    expect_problem(create(server, kid, once_at(kid.id, later)), 403, "forbidden");
    expect_problem(create(server, mom, once_at(other_kid.id, later)), 404, "not_found");
    expect_problem(create(server, other_mom, once_at(kid.id, later)), 404, "not_found");
    for (const auto& [method, path] : std::vector<std::pair<std::string, std::string>>{
             {"GET", reservation_path(id)},
             {"PATCH", reservation_path(id)},
             {"DELETE", reservation_path(id)},
             {"POST", reservation_path(id, "/pause")},
             {"GET", reservation_path(id, "/occurrences")}}) {
        expect_problem(server.request(method, path, method == "PATCH" ? R"({"title": "x"})" : "",
                                      bearer(other_mom.access)),
                       404, "not_found");
    }
    expect_problem(server.request("GET", reservation_path(id), {}, bearer(sibling.access)), 404,
                   "not_found");
    expect_problem(server.request("POST", reservation_path(id, "/pause"), {}, bearer(kid.access)),
                   403, "forbidden");
    EXPECT_EQ(json_of(server.request("GET", "/api/v1/reservations", {},
                                     bearer(other_mom.access)))["items"]
                  .size(),
              0U);
    EXPECT_EQ(
        json_of(server.request("GET", "/api/v1/reservations", {}, bearer(kid.access)))["items"]
            .size(),
        1U);
    EXPECT_EQ(
        json_of(server.request("GET", "/api/v1/reservations", {}, bearer(sibling.access)))["items"]
            .size(),
        0U);

    auto past = once_at(kid.id, local_now("Asia/Seoul", seconds{-3600}));
    EXPECT_EQ(field_problems(create(server, mom, past)),
              std::set<std::string>{"starts_on:no_occurrence_ahead"});
    auto wrong = once_at(kid.id, later);
    wrong["starts_on"] = "2026-13-01";
    wrong["at"] = "7pm";
    wrong["repeat"] = {{"every", "fortnight"}};
    wrong["reward"] = 0;
    wrong["colour"] = "red";
    EXPECT_EQ(
        field_problems(create(server, mom, wrong)),
        (std::set<std::string>{"starts_on:not_a_date", "at:not_a_time", "repeat.every:not_allowed",
                               "reward:out_of_range", "colour:unknown_field"}));
    const auto range = [&](const std::string& query) {
        return server.request("GET", reservation_path(id, "/occurrences" + query), {},
                              bearer(mom.access));
    };
    EXPECT_EQ(range("?from=2026-01-01T00:00:00Z&to=2027-01-03T00:00:00Z").status, 422);
    EXPECT_EQ(field_problems(range("?from=2026-01-01T00:00:00Z&to=2027-01-03T00:00:00Z")),
              std::set<std::string>{"to:range_too_long"});
    EXPECT_EQ(field_problems(range("?from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z")),
              std::set<std::string>{"to:before_from"});
    EXPECT_EQ(field_problems(range("?from=yesterday")), std::set<std::string>{"from:not_rfc3339"});
    EXPECT_EQ(range("?from=2026-01-01T00:00:00Z&to=2027-01-01T00:00:00Z").status, 200);
}

/// Reservations straight in the database, each with one occurrence five minutes ago that no
/// instance has looked at yet: as after a short downtime.
void plant_due_reservations(const member_session& mom, const member_session& kid, int count) {
    pqxx::connection c{required_env("TEST_POKI_PG_URL")};
    pqxx::work tx{c};
    tx.exec_params(
        "INSERT INTO reservations (family_id, child_id, created_by, title, reward, due_minutes,"
        " starts_on, at_time, repeat_every, cursor_at, next_at)"
        " SELECT f.id, $2, $3, 'bulk ' || g, 1, 60,"
        " ((now() - interval '5 minutes') AT TIME ZONE f.time_zone)::date - 7,"
        " ((now() - interval '5 minutes') AT TIME ZONE f.time_zone)::time(0), 'day',"
        " now() - interval '1 hour', now()"
        " FROM families f, generate_series(1, $4) g WHERE f.id = $1",
        mom.family_id, kid.id, mom.id, count);
    tx.commit();
}

std::int64_t count_of(const std::string& sql) {
    pqxx::connection c{required_env("TEST_POKI_PG_URL")};
    pqxx::read_transaction tx{c};
    return tx.exec1(sql)[0].as<std::int64_t>();
}

TEST(Reservations, AnInstanceKilledMidRunLeavesEachOccurrenceToBeMadeOnce) {
    constexpr int planted = 2000;
    own_redis redis;
    const server_options options{
        .redis_port = redis.port(),
        .extra = {{"reservations", {{"activation_interval_ms", 100}, {"activation_batch", 10}}}}};
    std::int64_t family = 0;
    std::int64_t made_before_kill = 0;
    {
        running_server first{options};
        const auto mom = parent(first);
        const auto kid = child(first, mom);
        family = mom.family_id;
        plant_due_reservations(mom, kid, planted);
        const auto made = [&] {
            return count_of("SELECT count(*) FROM missions WHERE family_id = " +
                            std::to_string(family));
        };
        EXPECT_TRUE(eventually([&] { return made() > 0; }, seconds{10}, milliseconds{5}));
        first.process().signal(SIGKILL);  // in the middle of a batch, or between two
        (void)first.process().wait(seconds{5});
        made_before_kill = made();
    }
    EXPECT_LT(made_before_kill, planted) << "the instance finished before it was killed";
    running_server second{options};
    const auto family_missions =
        "SELECT count(*) FROM missions WHERE family_id = " + std::to_string(family);
    EXPECT_TRUE(eventually([&] { return count_of(family_missions) >= planted; }, seconds{60},
                           milliseconds{100}));
    std::this_thread::sleep_for(milliseconds{500});  // more runs: nothing more is made
    EXPECT_EQ(count_of(family_missions), planted);
    EXPECT_EQ(count_of("SELECT count(DISTINCT title) FROM missions WHERE family_id = " +
                       std::to_string(family)),
              planted);
    EXPECT_EQ(
        count_of("SELECT count(*) FROM reservation_occurrences o JOIN reservations r"
                 " ON r.id = o.reservation_id WHERE o.state = 'activated' AND r.family_id = " +
                 std::to_string(family)),
        planted);
    // Every mission made told the child once.
    EXPECT_EQ(count_of("SELECT count(*) FROM events e JOIN users u ON u.id = e.user_id"
                       " WHERE e.type = 'mission.activated' AND u.role = 'child'"
                       " AND u.family_id = " +
                       std::to_string(family)),
              planted);
}

}  // namespace
}  // namespace poki::test
