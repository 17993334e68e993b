// schedule/recurrence and schedule/time_zones: which dates a repeat rule gives, across month
// ends, leap days and daylight-saving changes.
#include "poki/schedule/recurrence.hpp"

#include <vector>

#include <gtest/gtest.h>

#include "poki/schedule/schedule_json.hpp"
#include "poki/schedule/time_zones.hpp"

namespace poki::schedule {
namespace {

using namespace date::literals;  // NOLINT(google-build-using-namespace): dates read as dates

std::vector<std::string> dates_of(const recurrence& r, date::local_days last) {
    std::vector<std::string> out;
    for_each_date(r, last, [&](date::local_days d) {
        out.push_back(format_date(d));
        return true;
    });
    return out;
}

recurrence starting(date::year_month_day first, repeat_rule rule) {
    return recurrence{date::local_days{first}, std::chrono::hours{19}, rule};
}

repeat_rule every(frequency f, int interval = 1) {
    repeat_rule rule;
    rule.every = f;
    rule.interval = interval;
    return rule;
}

repeat_rule until(repeat_rule rule, date::year_month_day last) {
    rule.until = date::local_days{last};
    return rule;
}

repeat_rule times(repeat_rule rule, int count) {
    rule.count = count;
    return rule;
}

repeat_rule on(repeat_rule rule, std::uint8_t weekdays) {
    rule.weekdays = weekdays;
    return rule;
}

repeat_rule on_day(repeat_rule rule, int month_day) {
    rule.month_day = month_day;
    return rule;
}

TEST(Recurrence, OnceHappensOnItsDateOnly) {
    const auto r = starting(2026_y / 12 / 7, {});
    EXPECT_EQ(dates_of(r, date::local_days{2027_y / 12 / 31}),
              std::vector<std::string>{"2026-12-07"});
    EXPECT_TRUE(dates_of(r, date::local_days{2026_y / 12 / 6}).empty());
}

TEST(Recurrence, EveryOtherDayUntilADateInclusive) {
    const auto r = starting(2026_y / 2 / 26, until(every(frequency::day, 2), 2026_y / 3 / 4));
    EXPECT_EQ(dates_of(r, date::local_days{2026_y / 12 / 31}),
              (std::vector<std::string>{"2026-02-26", "2026-02-28", "2026-03-02", "2026-03-04"}));
}

TEST(Recurrence, WeekdaysEveryWeekFromAMidweekStart) {
    const auto weekdays = static_cast<std::uint8_t>(
        weekday_bit(1) | weekday_bit(2) | weekday_bit(3) | weekday_bit(4) | weekday_bit(5));
    // 2026-12-03 is a Thursday: the first week has Thursday and Friday only.
    const auto r = starting(2026_y / 12 / 3, on(every(frequency::week), weekdays));
    EXPECT_EQ(dates_of(r, date::local_days{2026_y / 12 / 9}),
              (std::vector<std::string>{"2026-12-03", "2026-12-04", "2026-12-07", "2026-12-08",
                                        "2026-12-09"}));
}

TEST(Recurrence, EveryTwoWeeksOnSaturdayForThreeTimes) {
    const auto r = starting(2026_y / 12 / 5, times(every(frequency::week, 2), 3));  // a Saturday
    EXPECT_EQ(dates_of(r, date::local_days{2027_y / 12 / 31}),
              (std::vector<std::string>{"2026-12-05", "2026-12-19", "2027-01-02"}));
}

TEST(Recurrence, CountCountsFromTheFirstDateNotFromTheWindow) {
    const auto r = starting(2026_y / 12 / 1, times(every(frequency::day), 3));
    EXPECT_TRUE(happens_on(r, date::local_days{2026_y / 12 / 3}));
    EXPECT_FALSE(happens_on(r, date::local_days{2026_y / 12 / 4}));
}

TEST(Recurrence, MonthlyOnThe31stSkipsShorterMonths) {
    const auto r = starting(2027_y / 1 / 31, every(frequency::month));
    EXPECT_EQ(dates_of(r, date::local_days{2027_y / 8 / 31}),
              (std::vector<std::string>{"2027-01-31", "2027-03-31", "2027-05-31", "2027-07-31",
                                        "2027-08-31"}));
}

TEST(Recurrence, MonthlyOnAChosenDayStartsWithTheFirstMonthThatHasItAfterTheStart) {
    const auto r = starting(2026_y / 12 / 20, on_day(every(frequency::month), 15));
    EXPECT_EQ(dates_of(r, date::local_days{2027_y / 3 / 1}),
              (std::vector<std::string>{"2027-01-15", "2027-02-15"}));
}

TEST(Recurrence, LeapDayComesEveryFourYears) {
    const auto r = starting(2028_y / 2 / 29, every(frequency::month, 12));
    EXPECT_EQ(dates_of(r, date::local_days{2036_y / 12 / 31}),
              (std::vector<std::string>{"2028-02-29", "2032-02-29", "2036-02-29"}));
    EXPECT_FALSE(happens_on(r, date::local_days{2029_y / 2 / 28}));
}

TEST(Recurrence, CountSkipsMonthsWithoutTheDayWithoutUsingThemUp) {
    const auto r = starting(2027_y / 1 / 30, times(every(frequency::month), 3));
    EXPECT_EQ(dates_of(r, date::local_days{2027_y / 12 / 31}),
              (std::vector<std::string>{"2027-01-30", "2027-03-30", "2027-04-30"}));
}

TEST(Recurrence, StopsWhenTheVisitorSaysSo) {
    const auto r = starting(2026_y / 12 / 1, every(frequency::day));
    int seen = 0;
    for_each_date(r, date::local_days{2036_y / 1 / 1},
                  [&](date::local_days) { return ++seen < 4; });
    EXPECT_EQ(seen, 4);
}

// America/New_York moves its clocks on 2026-03-08 (02:00 → 03:00) and 2026-11-01 (02:00 → 01:00).
class NewYorkTest : public ::testing::Test {
  protected:
    const date::time_zone& zone_ = *find_zone("America/New_York");

    std::string instant_of(std::string_view local) const {
        return date::format("%FT%TZ", to_instant(zone_, *parse_local_time(local)));
    }
};

TEST_F(NewYorkTest, SevenPmStaysSevenPmAcrossSpringForward) {
    EXPECT_EQ(instant_of("2026-03-07T19:00"), "2026-03-08T00:00:00Z");  // EST, UTC−5
    EXPECT_EQ(instant_of("2026-03-08T19:00"), "2026-03-08T23:00:00Z");  // EDT, UTC−4
}

TEST_F(NewYorkTest, ATimeInTheSpringGapTakesTheOffsetBeforeIt) {
    EXPECT_EQ(instant_of("2026-03-08T02:30"), "2026-03-08T07:30:00Z");  // 03:30 EDT
    EXPECT_EQ(format_local_time(
                  to_local(zone_, to_instant(zone_, *parse_local_time("2026-03-08T02:30")))),
              "2026-03-08T03:30:00");
}

TEST_F(NewYorkTest, ATimeThatHappensTwiceInTheFallIsTheFirst) {
    EXPECT_EQ(instant_of("2026-11-01T01:30"), "2026-11-01T05:30:00Z");  // still EDT
    EXPECT_EQ(instant_of("2026-11-01T19:00"), "2026-11-02T00:00:00Z");  // EST again
    EXPECT_EQ(instant_of("2026-10-31T19:00"), "2026-10-31T23:00:00Z");
}

TEST(TimeZones, KnowsIanaNamesAndRefusesTheRest) {
    EXPECT_NE(find_zone("Asia/Seoul"), nullptr);
    EXPECT_NE(find_zone("Europe/Berlin"), nullptr);
    EXPECT_EQ(find_zone("Mars/Olympus_Mons"), nullptr);
    EXPECT_EQ(find_zone(""), nullptr);
    EXPECT_EQ(find_zone("+09:00"), nullptr);
    EXPECT_EQ(find_zone(std::string(200, 'A')), nullptr);
}

TEST(TimeZones, SeoulHasNoDaylightSaving) {
    const auto& seoul = *find_zone("Asia/Seoul");
    EXPECT_EQ(date::format("%FT%TZ", to_instant(seoul, *parse_local_time("2026-07-01T09:00"))),
              "2026-07-01T00:00:00Z");
    EXPECT_EQ(date::format("%FT%TZ", to_instant(seoul, *parse_local_time("2026-12-01T09:00"))),
              "2026-12-01T00:00:00Z");
}

}  // namespace
}  // namespace poki::schedule
