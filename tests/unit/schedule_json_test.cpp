// schedule/schedule_json: dates, times and repeat rules as the API reads them, and the
// problems it names when they are wrong.
#include "poki/schedule/schedule_json.hpp"

#include <set>

#include <gtest/gtest.h>

namespace poki::schedule {
namespace {

using namespace date::literals;  // NOLINT(google-build-using-namespace): dates read as dates

struct read_result {
    recurrence when;
    std::set<std::string> problems;  ///< "field:code"
};

read_result read(std::string_view body_text) {
    const auto body = nlohmann::json::parse(body_text);
    json_reader in{body};
    read_result out{read_recurrence(in, body), {}};
    for (const auto& e : in.errors()) {
        out.problems.insert(e.field + ":" + e.code);
    }
    return out;
}

TEST(ScheduleJson, DatesAndTimesRoundTrip) {
    EXPECT_EQ(format_date(*parse_date("2028-02-29")), "2028-02-29");
    EXPECT_FALSE(parse_date("2027-02-29"));
    EXPECT_FALSE(parse_date("2026-13-01"));
    EXPECT_FALSE(parse_date("2026-1-01"));
    EXPECT_FALSE(parse_date("20261201xx"));
    EXPECT_EQ(*parse_time_of_day("19:00"), std::chrono::hours{19});
    EXPECT_EQ(format_time_of_day(*parse_time_of_day("07:05:09")), "07:05:09");
    EXPECT_EQ(format_time_of_day(*parse_time_of_day("07:05")), "07:05");
    EXPECT_FALSE(parse_time_of_day("24:00"));
    EXPECT_FALSE(parse_time_of_day("7:00"));
    EXPECT_FALSE(parse_time_of_day("07:60"));
    EXPECT_EQ(format_local_time(*parse_local_time("2026-12-07T19:00")), "2026-12-07T19:00:00");
    EXPECT_EQ(format_local_time(*parse_local_time("1900-01-02T03:04:05")), "1900-01-02T03:04:05");
    EXPECT_EQ(format_local_time(*parse_local_time("2026-01-01T00:00")), "2026-01-01T00:00:00");
    EXPECT_EQ(format_date(*parse_date("2026-12-31")), "2026-12-31");
    EXPECT_FALSE(parse_local_time("2026-12-07 19:00"));
    EXPECT_FALSE(parse_local_time("2026-12-07T19:00Z"));
}

TEST(ScheduleJson, ReadsAWeeklyRule) {
    const auto r = read(R"({"starts_on": "2026-12-07", "at": "19:00",
        "repeat": {"every": "week", "interval": 2, "weekdays": ["mon", "sat"], "count": 10}})");
    EXPECT_TRUE(r.problems.empty());
    EXPECT_EQ(r.when.starts_on, date::local_days{2026_y / 12 / 7});
    EXPECT_EQ(r.when.at, std::chrono::hours{19});
    EXPECT_EQ(r.when.repeat.every, frequency::week);
    EXPECT_EQ(r.when.repeat.interval, 2);
    EXPECT_EQ(r.when.repeat.weekdays, weekday_bit(1) | weekday_bit(6));
    EXPECT_EQ(r.when.repeat.count, 10);
}

TEST(ScheduleJson, NoRepeatIsOnce) {
    EXPECT_EQ(read(R"({"starts_on": "2026-12-07", "at": "08:30"})").when.repeat.every,
              frequency::once);
    EXPECT_EQ(
        read(R"({"starts_on": "2026-12-07", "at": "08:30", "repeat": null})").when.repeat.every,
        frequency::once);
}

TEST(ScheduleJson, NamesEachWrongField) {
    EXPECT_EQ(read(R"({"starts_on": "2026-02-30", "at": "25:00"})").problems,
              (std::set<std::string>{"starts_on:not_a_date", "at:not_a_time"}));
    EXPECT_EQ(read(R"({"at": "19:00"})").problems, (std::set<std::string>{"starts_on:required"}));
    EXPECT_EQ(read(R"({"starts_on": "2026-12-07", "at": "19:00", "repeat": "weekly"})").problems,
              (std::set<std::string>{"repeat:not_an_object"}));
    EXPECT_EQ(
        read(R"({"starts_on": "2026-12-07", "at": "19:00", "repeat": {"every": "year"}})").problems,
        (std::set<std::string>{"repeat.every:not_allowed"}));
    EXPECT_EQ(read(R"({"starts_on": "2026-12-07", "at": "19:00",
        "repeat": {"every": "week", "weekdays": ["monday"]}})")
                  .problems,
              (std::set<std::string>{"repeat.weekdays:invalid"}));
    EXPECT_EQ(
        read(R"({"starts_on": "2026-12-07", "at": "19:00",
        "repeat": {"every": "day", "weekdays": ["mon"], "month_day": 3}})")
            .problems,
        (std::set<std::string>{"repeat.weekdays:not_allowed", "repeat.month_day:not_allowed"}));
    EXPECT_EQ(read(R"({"starts_on": "2026-12-07", "at": "19:00",
        "repeat": {"every": "day", "until": "2026-12-01"}})")
                  .problems,
              (std::set<std::string>{"repeat.until:before_start"}));
    EXPECT_EQ(read(R"({"starts_on": "2026-12-07", "at": "19:00",
        "repeat": {"every": "day", "until": "2026-12-31", "count": 3}})")
                  .problems,
              (std::set<std::string>{"repeat.count:not_allowed"}));
    EXPECT_EQ(
        read(R"({"starts_on": "2026-12-07", "at": "19:00",
        "repeat": {"every": "day", "interval": 0, "hourly": true}})")
            .problems,
        (std::set<std::string>{"repeat.interval:out_of_range", "repeat.hourly:unknown_field"}));
}

TEST(ScheduleJson, WritesWhatItReads) {
    const auto r = read(R"({"starts_on": "2027-01-31", "at": "07:15",
        "repeat": {"every": "month", "month_day": 31, "until": "2027-12-31"}})");
    ASSERT_TRUE(r.problems.empty());
    nlohmann::json out = nlohmann::json::object();
    add_recurrence_fields(out, r.when);
    EXPECT_EQ(out["starts_on"], "2027-01-31");
    EXPECT_EQ(out["at"], "07:15");
    EXPECT_EQ(out["repeat"]["every"], "month");
    EXPECT_EQ(out["repeat"]["month_day"], 31);
    EXPECT_EQ(out["repeat"]["until"], "2027-12-31");
    EXPECT_TRUE(out["repeat"]["count"].is_null());
    json_reader again{out};
    EXPECT_EQ(read_recurrence(again, out), r.when);
    EXPECT_TRUE(again.errors().empty());
}

}  // namespace
}  // namespace poki::schedule
