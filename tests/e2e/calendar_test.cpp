// The family calendar over HTTP on the real binary: events (once, repeating, for some members),
// one timeline with missions, reservations ahead and gift days, a child's own view, range
// boundaries and limits, walls between families, live calendar.changed, and the iCalendar
// feed read back by an independent parser (python3-icalendar) with its repeats expanded in
// the family's zone, ETag/304, and a replaced URL that stops working.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>

#include <gtest/gtest.h>

#include "poki/core/timestamp.hpp"
#include "poki/schedule/schedule_json.hpp"
#include "poki/schedule/time_zones.hpp"

#include "support/grape_api.hpp"
#include "support/sse_client.hpp"

namespace poki::test {
namespace {

using std::chrono::seconds;

constexpr std::string_view zone_name = "America/New_York";

date::local_days today() {
    return date::floor<date::days>(
        schedule::to_local(*schedule::find_zone(zone_name),
                           std::chrono::floor<seconds>(std::chrono::system_clock::now())));
}

std::string instant_of(date::local_seconds local) {
    return format_rfc3339(std::chrono::time_point_cast<std::chrono::milliseconds>(
        schedule::to_instant(*schedule::find_zone(zone_name), local)));
}

std::string day_text(date::local_days d) {
    return schedule::format_date(d);
}

/// The next Monday after today, at least a day away.
date::local_days next_monday() {
    auto d = today() + date::days{1};
    while (date::weekday{d} != date::Monday) {
        d += date::days{1};
    }
    return d;
}

struct calendar_family {
    family_server fixture;
    const running_server& server = fixture.server;
    member_session mom = parent(server);
    member_session kid = child(server, mom);
    member_session sibling = child(server, mom);

    calendar_family() {
        const auto r =
            server.request("PATCH", "/api/v1/family",
                           nlohmann::json{{"time_zone", zone_name}}.dump(), bearer(mom.access));
        EXPECT_EQ(r.status, 200) << r.body;
    }

    http_reply post(const std::string& path, const nlohmann::json& body) const {
        return server.request("POST", path, body.dump(), bearer(mom.access));
    }

    [[nodiscard]] nlohmann::json range(const member_session& who, date::local_days from,
                                       date::local_days to) const {
        const auto r =
            server.request("GET",
                           "/api/v1/calendar?from=" + instant_of(date::local_seconds{from}) +
                               "&to=" + instant_of(date::local_seconds{to}),
                           {}, bearer(who.access));
        EXPECT_EQ(r.status, 200) << r.body;
        return json_of(r);
    }
};

/// "kind:id" of every item (gift days by kind only).
std::multiset<std::string> kinds(const nlohmann::json& view) {
    std::multiset<std::string> out;
    const auto& items = view["items"];
    for (const auto& item : items) {
        const std::string kind = item["kind"];
        out.insert(kind == "gift_day"
                       ? kind
                       : kind + ":" + std::to_string(item["id"].get<std::int64_t>()));
    }
    return out;
}

std::string key(std::string_view kind, std::int64_t id) {
    return std::string{kind} + ":" + std::to_string(id);
}

/// A family with a bit of everything: a weekly dinner for everyone, a trip for the sibling,
/// a mission and three mornings of reading for the kid, and the kid's gift day today.
struct planned_family : calendar_family {
    date::local_days monday = next_monday();
    std::int64_t dinner = 0;
    std::int64_t trip = 0;
    std::int64_t mission = 0;
    std::int64_t reading = 0;

    planned_family() {
        dinner =
            made(post("/api/v1/calendar/events", {{"title", "가족 저녁"},
                                                  {"start", day_text(monday) + "T18:00"},
                                                  {"end", day_text(monday) + "T19:30"},
                                                  {"location", "할머니 댁"},
                                                  {"repeat", {{"every", "week"}, {"count", 16}}}}));
        trip = made(post("/api/v1/calendar/events", {{"title", "수학여행"},
                                                     {"all_day", true},
                                                     {"start", day_text(monday + date::days{2})},
                                                     {"end", day_text(monday + date::days{3})},
                                                     {"member_ids", {sibling.id}}}));
        const auto due =
            instant_of(date::local_seconds{monday + date::days{1}} + std::chrono::hours{9});
        mission =
            made(post("/api/v1/missions",
                      {{"child_id", kid.id}, {"title", "숙제"}, {"reward", 2}, {"due_at", due}}));
        reading =
            made(post("/api/v1/reservations", {{"child_id", kid.id},
                                               {"title", "책 읽기"},
                                               {"reward", 1},
                                               {"starts_on", day_text(monday)},
                                               {"at", "07:00"},
                                               {"repeat", {{"every", "day"}, {"count", 3}}}}));
        EXPECT_EQ(
            server
                .request("PUT", child_path(kid.id, "/board"), R"({"goal": 5})", bearer(mom.access))
                .status,
            200);
        EXPECT_EQ(award(server, mom, kid.id, 5).status, 201);
        EXPECT_EQ(attach(server, kid, kid.id, 5).status, 200);
        EXPECT_EQ(
            server.request("POST", child_path(kid.id, "/board/redeem"), {}, bearer(mom.access))
                .status,
            201);
    }

    static std::int64_t made(const http_reply& r) {
        EXPECT_EQ(r.status, 201) << r.body;
        return json_of(r)["id"];
    }
};

TEST(Calendar, OneTimelineOfEventsMissionsReservationsAndGiftDays) {
    planned_family f;
    const auto view = f.range(f.mom, today() - date::days{1}, f.monday + date::days{7});
    EXPECT_EQ(view["time_zone"], zone_name);
    EXPECT_FALSE(view["truncated"]);
    EXPECT_EQ(kinds(view),
              (std::multiset<std::string>{key("event", f.dinner), key("event", f.trip),
                                          key("mission", f.mission), key("reservation", f.reading),
                                          key("reservation", f.reading),
                                          key("reservation", f.reading), "gift_day"}))
        << view.dump();
    const auto& items = view["items"];
    for (std::size_t i = 1; i < items.size(); ++i) {
        EXPECT_LE(items[i - 1]["start"].get<std::string>(), items[i]["start"].get<std::string>());
    }
    for (const auto& item : items) {
        if (item["kind"] == "event" && item["id"] == f.dinner) {
            EXPECT_EQ(item["local_start"], day_text(f.monday) + "T18:00:00");
            EXPECT_EQ(item["start"],
                      instant_of(date::local_seconds{f.monday} + std::chrono::hours{18}));
            EXPECT_EQ(item["location"], "할머니 댁");
        }
        if (item["kind"] == "event" && item["id"] == f.trip) {
            EXPECT_TRUE(item["all_day"]);
            EXPECT_EQ(item["member_ids"], (nlohmann::json{f.sibling.id}));
            EXPECT_EQ(item["local_end"], day_text(f.monday + date::days{4}) + "T00:00:00");
        }
        if (item["kind"] == "reservation") {
            EXPECT_EQ(item["child_id"], f.kid.id);
            EXPECT_EQ(item["local_start"].get<std::string>().substr(11), "07:00:00");
        }
    }
    // The weekly dinner, sixteen times, keeps 18:00 in New York across March's change.
    const auto year = f.range(f.mom, today(), today() + date::days{366});
    int dinners = 0;
    const auto& all = year["items"];
    for (const auto& item : all) {
        if (item["kind"] == "event" && item["id"] == f.dinner) {
            ++dinners;
            EXPECT_EQ(item["local_start"].get<std::string>().substr(11), "18:00:00");
        }
    }
    EXPECT_EQ(dinners, 16);
}

TEST(Calendar, AChildSeesWhatIsTheirsAndEveryonesOnly) {
    planned_family f;
    const auto from = today() - date::days{1};
    const auto to = f.monday + date::days{7};
    EXPECT_EQ(kinds(f.range(f.kid, from, to)),
              (std::multiset<std::string>{
                  key("event", f.dinner), key("mission", f.mission), key("reservation", f.reading),
                  key("reservation", f.reading), key("reservation", f.reading), "gift_day"}));
    EXPECT_EQ(kinds(f.range(f.sibling, from, to)),
              (std::multiset<std::string>{key("event", f.dinner), key("event", f.trip)}));
    const auto trip_path = "/api/v1/calendar/events/" + std::to_string(f.trip);
    expect_problem(f.server.request("GET", trip_path, {}, bearer(f.kid.access)), 404, "not_found");
    EXPECT_EQ(f.server.request("GET", trip_path, {}, bearer(f.sibling.access)).status, 200);
    expect_problem(
        f.server.request("PATCH", trip_path, R"({"title": "x"})", bearer(f.sibling.access)), 403,
        "forbidden");
}

TEST(Calendar, RangesAreHalfOpenAndAtMostAYear) {
    calendar_family f;
    const auto day = today() + date::days{3};
    const auto made = f.post("/api/v1/calendar/events", {{"title", "치과"},
                                                         {"start", day_text(day) + "T10:00"},
                                                         {"end", day_text(day) + "T11:00"}});
    ASSERT_EQ(made.status, 201) << made.body;
    const auto ten = date::local_seconds{day} + std::chrono::hours{10};
    const auto eleven = ten + std::chrono::hours{1};
    const auto count = [&](date::local_seconds from, date::local_seconds to) {
        const auto r = f.server.request(
            "GET", "/api/v1/calendar?from=" + instant_of(from) + "&to=" + instant_of(to), {},
            bearer(f.mom.access));
        EXPECT_EQ(r.status, 200) << r.body;
        return json_of(r)["items"].size();
    };
    EXPECT_EQ(count(ten - std::chrono::hours{5}, ten), 0U);        // starts where the range ends
    EXPECT_EQ(count(eleven, eleven + std::chrono::hours{5}), 0U);  // ends where it starts
    EXPECT_EQ(count(ten - std::chrono::hours{5}, ten + seconds{1}), 1U);
    EXPECT_EQ(count(eleven - seconds{1}, eleven + std::chrono::hours{5}), 1U);

    const auto refused = [&](const std::string& query) {
        const auto r =
            f.server.request("GET", "/api/v1/calendar" + query, {}, bearer(f.mom.access));
        EXPECT_EQ(r.status, 422) << r.body;
        const auto errors = json_of(r)["errors"];
        return errors.empty() ? std::string{} : errors[0]["code"].get<std::string>();
    };
    EXPECT_EQ(refused("?from=2026-01-01T00:00:00Z&to=2027-01-02T00:00:01Z"), "range_too_long");
    EXPECT_EQ(refused("?from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z"), "before_from");
    EXPECT_EQ(refused("?from=monday"), "not_rfc3339");
    EXPECT_EQ(
        f.server
            .request("GET", "/api/v1/calendar?from=2026-01-01T00:00:00Z&to=2027-01-02T00:00:00Z",
                     {}, bearer(f.mom.access))
            .status,
        200);
}

TEST(Calendar, FamiliesRolesAndBadInputAreWalledOff) {
    planned_family f;
    const auto other_mom = parent(f.server);
    const auto dinner_path = "/api/v1/calendar/events/" + std::to_string(f.dinner);
    for (const auto& method : {"GET", "PATCH", "DELETE"}) {
        expect_problem(f.server.request(method, dinner_path,
                                        std::string{method} == "PATCH" ? R"({"title": "x"})" : "",
                                        bearer(other_mom.access)),
                       404, "not_found");
    }
    const auto theirs = f.server.request(
        "GET", "/api/v1/calendar?from=" + instant_of(date::local_seconds{today() - date::days{1}}),
        {}, bearer(other_mom.access));
    EXPECT_TRUE(json_of(theirs)["items"].empty()) << theirs.body;
    expect_problem(f.server.request("POST", "/api/v1/calendar/events",
                                    nlohmann::json{{"title", "x"},
                                                   {"start", "2030-01-01T10:00"},
                                                   {"end", "2030-01-01T11:00"}}
                                        .dump(),
                                    bearer(f.kid.access)),
                   403, "forbidden");
    const auto stranger = f.post("/api/v1/calendar/events", {{"title", "x"},
                                                             {"start", "2030-01-01T10:00"},
                                                             {"end", "2030-01-01T11:00"},
                                                             {"member_ids", {other_mom.id}}});
    expect_problem(stranger, 422, "validation_failed");
    const auto problems = [](const http_reply& r) { return field_problems(r); };
    EXPECT_EQ(problems(stranger), std::set<std::string>{"member_ids:unknown_member"});
    EXPECT_EQ(problems(f.post("/api/v1/calendar/events", {{"title", ""},
                                                          {"start", "2030-01-01T10:00"},
                                                          {"end", "2030-01-01T09:00"},
                                                          {"member_ids", "everyone"}})),
              (std::set<std::string>{"title:empty", "end:before_start", "member_ids:invalid"}));
    EXPECT_EQ(problems(f.post("/api/v1/calendar/events", {{"title", "x"},
                                                          {"all_day", true},
                                                          {"start", "2030-01-01T10:00"},
                                                          {"end", "2030-03-01"}})),
              (std::set<std::string>{"start:not_a_date"}));
    EXPECT_EQ(
        problems(f.post(
            "/api/v1/calendar/events",
            {{"title", "x"}, {"all_day", true}, {"start", "2030-01-01"}, {"end", "2030-03-01"}})),
        (std::set<std::string>{"end:event_too_long"}));
    // Moving the dinner to everyone's Saturday lunch, then deleting it.
    const auto moved =
        f.server.request("PATCH", dinner_path,
                         nlohmann::json{{"start", day_text(f.monday + date::days{5}) + "T12:00"},
                                        {"end", day_text(f.monday + date::days{5}) + "T13:00"},
                                        {"location", nullptr}}
                             .dump(),
                         bearer(f.mom.access));
    ASSERT_EQ(moved.status, 200) << moved.body;
    EXPECT_TRUE(json_of(moved)["location"].is_null());
    EXPECT_EQ(json_of(moved)["repeat"]["count"], 16);
    EXPECT_EQ(f.server.request("DELETE", dinner_path, {}, bearer(f.mom.access)).status, 204);
    expect_problem(f.server.request("GET", dinner_path, {}, bearer(f.mom.access)), 404,
                   "not_found");
}

TEST(Calendar, OpenCalendarsHearOfChangesThatConcernThem) {
    calendar_family f;
    sse_client kid_stream{f.server.port(), "/api/v1/events", bearer(f.kid.access)};
    ASSERT_TRUE(kid_stream.next_of_type("ready", seconds{5}));
    const auto day = day_text(today() + date::days{2});
    const auto siblings = f.post("/api/v1/calendar/events", {{"title", "피아노"},
                                                             {"start", day + "T16:00"},
                                                             {"end", day + "T17:00"},
                                                             {"member_ids", {f.sibling.id}}});
    ASSERT_EQ(siblings.status, 201);
    const auto everyones =
        f.post("/api/v1/calendar/events",
               {{"title", "소풍"}, {"all_day", true}, {"start", day}, {"end", day}});
    ASSERT_EQ(everyones.status, 201);
    const auto changed = kid_stream.next_of_type("calendar.changed", seconds{5});
    ASSERT_TRUE(changed);
    const auto data = nlohmann::json::parse(changed->data);
    EXPECT_EQ(data["kind"], "event");
    EXPECT_EQ(data["id"], json_of(everyones)["id"]);  // not the sibling's piano lesson
}

TEST(Calendar, TheCalendarAndReservationRoutesRefuseStrangersAndBrokenBodies) {
    calendar_family f;
    const std::vector<std::pair<std::string, std::string>> routes{
        {"GET", "/api/v1/calendar"},
        {"POST", "/api/v1/calendar/events"},
        {"GET", "/api/v1/calendar/events/1"},
        {"PATCH", "/api/v1/calendar/events/1"},
        {"DELETE", "/api/v1/calendar/events/1"},
        {"POST", "/api/v1/calendar/feed"},
        {"POST", "/api/v1/reservations"},
        {"GET", "/api/v1/reservations"},
        {"GET", "/api/v1/reservations/1"},
        {"PATCH", "/api/v1/reservations/1"},
        {"DELETE", "/api/v1/reservations/1"},
        {"POST", "/api/v1/reservations/1/pause"},
        {"POST", "/api/v1/reservations/1/resume"},
        {"GET", "/api/v1/reservations/1/occurrences"},
        {"PUT", "/api/v1/reservations/1/occurrences/2030-01-01"}};
    for (const auto& [method, path] : routes) {
        SCOPED_TRACE(::testing::Message() << method << " " << path);
        expect_problem(f.server.request(method, path, "{}"), 401, "unauthorized");
        expect_problem(f.server.request(method, path, "{}", bearer("not-a-token")), 401,
                       "unauthorized");
    }
    for (const auto& path :
         {std::string{"/api/v1/calendar/events"}, std::string{"/api/v1/reservations"}}) {
        expect_problem(f.server.request("POST", path, "{\"title\": ", bearer(f.mom.access)), 400,
                       "bad_request");
        expect_problem(f.server.request("POST", path, "[1, 2]", bearer(f.mom.access)), 422,
                       "validation_failed");
    }
}

struct parsed_feed {
    nlohmann::json calendar;
    const nlohmann::json* event(const std::string& uid) const {
        for (const auto& e : calendar["events"]) {
            if (e["uid"] == uid) {
                return &e;
            }
        }
        return nullptr;
    }
};

/// The feed through python3-icalendar (tests/support/ical_check.py), `expand` occurrences each.
parsed_feed parse_with_python(const std::string& body, int expand) {
    const auto dir = std::filesystem::path{required_env("TEST_POKI_TMP")};
    const auto in = dir / ("feed-" + random_suffix() + ".ics");
    const auto out = in.string() + ".json";
    std::ofstream{in, std::ios::binary} << body;
    const auto script =
        std::filesystem::path{__FILE__}.parent_path().parent_path() / "support" / "ical_check.py";
    const auto command = "/usr/bin/python3 " + script.string() + " " + std::to_string(expand) +
                         " < " + in.string() + " > " + out + " 2>&1";
    const int status =
        std::system(command.c_str());  // NOLINT(cert-env33-c,concurrency-mt-unsafe): fixed
    std::ifstream result{out};
    std::stringstream text;
    text << result.rdbuf();
    EXPECT_EQ(status, 0) << text.str();
    if (status != 0) {
        return {};
    }
    return {nlohmann::json::parse(text.str())};
}

TEST(Calendar, TheFeedIsValidICalendarWithRepeatsInTheFamilysZone) {
    planned_family f;
    const auto made = f.post("/api/v1/calendar/feed", {});
    ASSERT_EQ(made.status, 201) << made.body;
    const std::string path = json_of(made)["path"];
    ASSERT_TRUE(path.starts_with("/ical/") && path.ends_with(".ics")) << path;

    const auto served = f.server.request("GET", path);
    ASSERT_EQ(served.status, 200) << served.body;
    EXPECT_EQ(served.header("content-type"), "text/calendar; charset=utf-8");
    const auto etag = served.header("etag");
    ASSERT_FALSE(etag.empty());
    EXPECT_EQ(f.server.request("GET", path, {}, {{"If-None-Match", etag}}).status, 304);
    EXPECT_EQ(f.server.request("GET", path).body, served.body);  // stable until a change

    const auto feed = parse_with_python(served.body, 20);
    EXPECT_EQ(feed.calendar["version"], "2.0");
    EXPECT_EQ(feed.calendar["timezones"], (nlohmann::json{zone_name}));
    const auto* dinner = feed.event("event-" + std::to_string(f.dinner) + "@poki");
    ASSERT_NE(dinner, nullptr) << feed.calendar.dump();
    EXPECT_EQ((*dinner)["tzid"], zone_name);
    EXPECT_EQ((*dinner)["rrule"], "FREQ=WEEKLY;COUNT=16;BYDAY=MO;WKST=MO") << dinner->dump();
    // The parser's own expansion, in the tz database's New York, equals the server's timeline.
    std::vector<std::string> from_server;
    const auto year = f.range(f.mom, today(), today() + date::days{366});
    const auto& items = year["items"];
    for (const auto& item : items) {
        if (item["kind"] == "event" && item["id"] == f.dinner) {
            const std::string start = item["start"];
            from_server.push_back(start.substr(0, 19) + "Z");
        }
    }
    EXPECT_EQ((*dinner)["occurrences"], nlohmann::json(from_server));
    EXPECT_EQ(from_server.size(), 16U);

    const auto* trip = feed.event("event-" + std::to_string(f.trip) + "@poki");
    ASSERT_NE(trip, nullptr);
    EXPECT_TRUE((*trip)["all_day"]);
    const auto* reading = feed.event("reservation-" + std::to_string(f.reading) + "@poki");
    ASSERT_NE(reading, nullptr);
    EXPECT_EQ((*reading)["occurrences"].size(), 3U);
    ASSERT_NE(feed.event("mission-" + std::to_string(f.mission) + "@poki"), nullptr);

    // A child's feed has what the child sees: not the sibling's trip.
    const auto kid_feed =
        f.server.request("POST", "/api/v1/calendar/feed", {}, bearer(f.kid.access));
    ASSERT_EQ(kid_feed.status, 201);
    const auto kids = parse_with_python(f.server.request("GET", json_of(kid_feed)["path"]).body, 1);
    EXPECT_EQ(kids.event("event-" + std::to_string(f.trip) + "@poki"), nullptr);
    EXPECT_NE(kids.event("event-" + std::to_string(f.dinner) + "@poki"), nullptr);

    // A change shows in the feed with a new ETag.
    ASSERT_EQ(f.server
                  .request("PATCH", "/api/v1/calendar/events/" + std::to_string(f.dinner),
                           R"({"title": "가족 외식"})", bearer(f.mom.access))
                  .status,
              200);
    const auto after = f.server.request("GET", path, {}, {{"If-None-Match", etag}});
    EXPECT_EQ(after.status, 200);
    EXPECT_NE(after.header("etag"), etag);
    EXPECT_NE(after.body.find("SUMMARY:가족 외식"), std::string::npos);

    // Asking again replaces the URL: the old one stops working.
    const auto again = f.post("/api/v1/calendar/feed", {});
    ASSERT_EQ(again.status, 201);
    EXPECT_NE(json_of(again)["path"], path);
    expect_problem(f.server.request("GET", path), 404, "not_found");
    EXPECT_EQ(f.server.request("GET", json_of(again)["path"]).status, 200);
    expect_problem(f.server.request("GET", "/ical/not-a-token.ics"), 404, "not_found");
    expect_problem(f.server.request("GET", "/ical/" + path.substr(6, path.size() - 10)), 404,
                   "not_found");  // without .ics
    // The token never reaches the access log.
    EXPECT_EQ(f.server.log().find(path.substr(6, 20)), std::string::npos);
}

}  // namespace
}  // namespace poki::test
