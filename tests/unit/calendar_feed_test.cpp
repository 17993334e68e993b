// calendar/ical and calendar/calendar_timeline: iCalendar text (escaping, folding, RRULEs,
// a VTIMEZONE from the tz database) and family events expanded into the timeline.
#include <gtest/gtest.h>

#include "poki/calendar/calendar_timeline.hpp"
#include "poki/calendar/ical.hpp"
#include "poki/schedule/schedule_json.hpp"
#include "poki/schedule/time_zones.hpp"

namespace poki::calendar {
namespace {

using namespace date::literals;  // NOLINT(google-build-using-namespace): dates read as dates
using std::chrono::sys_seconds;

sys_seconds utc(std::string_view text) {  // "2026-12-24T18:00:00Z"
    return sys_seconds{schedule::parse_local_time(text.substr(0, 19))->time_since_epoch()};
}

std::string utc_text(sys_seconds t) {
    return date::format("%FT%TZ", t);
}

const date::time_zone& new_york() {
    return *schedule::find_zone("America/New_York");
}

schedule::repeat_rule every(schedule::frequency f) {
    schedule::repeat_rule rule;
    rule.every = f;
    return rule;
}

TEST(Ical, EscapesTextAndFoldsLongLinesWithoutSplittingACharacter) {
    EXPECT_EQ(ical::escape_text("a,b;c\\d\ne\r\nf\x01"), "a\\,b\\;c\\\\d\\ne\\nf");
    ical::writer out{"-//test//KO"};
    std::string title;
    for (int i = 0; i < 40; ++i) {
        title += "포도";  // three bytes each: a fold at 75 octets would cut one in half
    }
    out.text("SUMMARY", title);
    const auto text = std::move(out).finish();
    std::size_t start = 0;
    std::string unfolded;
    while (start < text.size()) {
        const auto end = text.find("\r\n", start);
        ASSERT_NE(end, std::string::npos);
        const auto line = text.substr(start, end - start);
        EXPECT_LE(line.size(), 75U) << line;
        ASSERT_FALSE(line.empty());
        EXPECT_NE(static_cast<unsigned char>(line[line[0] == ' ' ? 1 : 0]) & 0xC0U, 0x80U)
            << "a continuation line starts inside a character";
        unfolded += line[0] == ' ' ? line.substr(1) : "\n" + line;
        start = end + 2;
    }
    EXPECT_NE(unfolded.find("\nSUMMARY:" + title + "\n"), std::string::npos);
    EXPECT_TRUE(text.starts_with("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"));
    EXPECT_TRUE(text.ends_with("END:VCALENDAR\r\n"));
}

TEST(Ical, RepeatRules) {
    const auto first = date::local_days{2026_y / 12 / 7};  // a Monday
    const auto at = std::chrono::hours{19};
    auto weekly = every(schedule::frequency::week);
    weekly.weekdays = schedule::weekday_bit(1) | schedule::weekday_bit(3);
    weekly.interval = 2;
    weekly.count = 10;
    EXPECT_EQ(ical::rrule(weekly, first, at, new_york(), false),
              "FREQ=WEEKLY;WKST=MO;BYDAY=MO,WE;INTERVAL=2;COUNT=10");
    EXPECT_EQ(ical::rrule(every(schedule::frequency::week), first, at, new_york(), false),
              "FREQ=WEEKLY;WKST=MO;BYDAY=MO");
    auto monthly = every(schedule::frequency::month);
    monthly.until = date::local_days{2027_y / 6 / 30};
    // 19:00 EDT on the last day is 23:00 UTC.
    EXPECT_EQ(ical::rrule(monthly, first, at, new_york(), false),
              "FREQ=MONTHLY;BYMONTHDAY=7;UNTIL=20270630T230000Z");
    EXPECT_EQ(ical::rrule(monthly, first, at, new_york(), true),
              "FREQ=MONTHLY;BYMONTHDAY=7;UNTIL=20270630");
    EXPECT_EQ(ical::rrule(every(schedule::frequency::day), first, at, new_york(), false),
              "FREQ=DAILY");
    EXPECT_FALSE(ical::rrule({}, first, at, new_york(), false));
}

TEST(Ical, TimeZoneListsEveryOffsetChangeInItsSpan) {
    ical::writer out{"-//test//KO"};
    out.time_zone(new_york(), utc("2026-01-01T00:00:00Z"), utc("2027-12-31T00:00:00Z"));
    const auto text = std::move(out).finish();
    EXPECT_NE(text.find("TZID:America/New_York\r\n"), std::string::npos);
    // Spring forward at 02:00 EST, fall back at 02:00 EDT, in both years.
    EXPECT_NE(text.find("BEGIN:DAYLIGHT\r\nDTSTART:20260308T020000\r\nTZOFFSETFROM:-0500\r\n"
                        "TZOFFSETTO:-0400\r\nTZNAME:EDT\r\n"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("BEGIN:STANDARD\r\nDTSTART:20261101T020000\r\nTZOFFSETFROM:-0400\r\n"
                        "TZOFFSETTO:-0500\r\n"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("DTSTART:20270314T020000"), std::string::npos);
    EXPECT_NE(text.find("DTSTART:20271107T020000"), std::string::npos);

    ical::writer seoul{"-//test//KO"};
    seoul.time_zone(*schedule::find_zone("Asia/Seoul"), utc("2026-01-01T00:00:00Z"),
                    utc("2036-01-01T00:00:00Z"));
    const auto one = std::move(seoul).finish();
    EXPECT_NE(one.find("TZOFFSETFROM:+0900\r\nTZOFFSETTO:+0900\r\nTZNAME:KST"), std::string::npos)
        << one;
    EXPECT_EQ(one.find("DAYLIGHT"), std::string::npos);
}

family_event event(date::local_seconds starts, date::local_seconds ends, bool all_day = false) {
    family_event e;
    e.id = 7;
    e.title = "가족 저녁";
    e.all_day = all_day;
    e.starts = starts;
    e.ends = ends;
    return e;
}

TEST(Timeline, AWeeklyEventKeepsItsLocalTimeAcrossDaylightSaving) {
    auto e = event(*schedule::parse_local_time("2026-10-25T18:00"),
                   *schedule::parse_local_time("2026-10-25T20:00"));
    e.repeat = every(schedule::frequency::week);
    const auto items = event_occurrences(e, new_york(), utc("2026-10-20T00:00:00Z"),
                                         utc("2026-11-10T00:00:00Z"), 10);
    ASSERT_EQ(items.size(), 3U);
    EXPECT_EQ(utc_text(items[0].start), "2026-10-25T22:00:00Z");  // EDT
    EXPECT_EQ(utc_text(items[1].start), "2026-11-01T23:00:00Z");  // EST from that morning
    EXPECT_EQ(utc_text(*items[1].end), "2026-11-02T01:00:00Z");
    EXPECT_EQ(items[2].on_date, date::local_days{2026_y / 11 / 8});
}

TEST(Timeline, RangesAreHalfOpenAndCatchWhatRunsIntoThem) {
    // Three days, all day: 24th to 26th, i.e. until the midnight after the 26th.
    const auto e = event(date::local_seconds{date::local_days{2026_y / 12 / 24}},
                         date::local_seconds{date::local_days{2026_y / 12 / 27}}, true);
    const auto& seoul = *schedule::find_zone("Asia/Seoul");
    const auto count = [&](std::string_view from, std::string_view to) {
        return event_occurrences(e, seoul, utc(from), utc(to), 10).size();
    };
    EXPECT_EQ(count("2026-12-25T00:00:00Z", "2026-12-25T01:00:00Z"), 1U);  // inside
    EXPECT_EQ(count("2026-12-26T15:00:00Z", "2026-12-30T00:00:00Z"), 0U);  // ends at from
    EXPECT_EQ(count("2026-12-20T00:00:00Z", "2026-12-23T15:00:00Z"), 0U);  // starts at to
    EXPECT_EQ(count("2026-12-20T00:00:00Z", "2026-12-23T15:00:01Z"), 1U);
    EXPECT_EQ(count("2026-12-26T14:59:59Z", "2026-12-30T00:00:00Z"), 1U);
}

TEST(Timeline, TheFeedCarriesSeriesExceptionsAndStableIdentities) {
    auto e = event(*schedule::parse_local_time("2026-12-03T18:00"),
                   *schedule::parse_local_time("2026-12-03T19:30"));
    e.repeat = every(schedule::frequency::week);
    e.repeat.weekdays = schedule::weekday_bit(1);  // Mondays; the 3rd is a Thursday
    e.note = "준비물: 수저, 컵";
    e.updated = utc("2026-12-01T00:00:00Z");

    reservations::planned_series series;
    series.r.id = 11;
    series.r.mission.title = "책 읽기";
    series.r.mission.due_minutes = 60;
    series.r.when = {date::local_days{2026_y / 12 / 1}, std::chrono::hours{19},
                     every(schedule::frequency::day)};
    series.r.updated_at = "2026-12-02T10:00:00.000Z";
    series.records.push_back({date::local_days{2026_y / 12 / 1},
                              reservations::occurrence_state::activated, std::nullopt, 5});
    series.records.push_back({date::local_days{2026_y / 12 / 4},
                              reservations::occurrence_state::moved,
                              *schedule::parse_local_time("2026-12-05T09:00"), std::nullopt});

    const std::vector<family_event> events{e};
    const std::vector<reservations::planned_series> plans{series};
    const std::vector<missions::due_mission> due{
        {3, 2, "설거지", "assigned", 2, utc("2026-12-10T09:00:00Z"), utc("2026-12-01T00:00:00Z")}};
    const std::vector<grapes::gift_day> gifts{{4, 2, 1, "공룡 인형", utc("2026-11-30T15:30:00Z")}};
    const auto text = feed_text({new_york(), events, plans, due, gifts, 2030});
    const auto has = [&](std::string_view line) {
        return text.find(std::string{line} + "\r\n") != std::string::npos;
    };
    EXPECT_TRUE(has("UID:event-7@poki"));
    EXPECT_TRUE(has("DTSTART;TZID=America/New_York:20261207T180000"));  // the first Monday
    EXPECT_TRUE(has("DTEND;TZID=America/New_York:20261207T193000"));
    EXPECT_TRUE(has("RRULE:FREQ=WEEKLY;WKST=MO;BYDAY=MO"));
    EXPECT_TRUE(has("DESCRIPTION:준비물: 수저\\, 컵"));
    EXPECT_TRUE(has("DTSTAMP:20261201T000000Z"));
    EXPECT_TRUE(has("UID:reservation-11@poki"));
    EXPECT_TRUE(has("EXDATE;TZID=America/New_York:20261201T190000"));
    EXPECT_TRUE(has("EXDATE;TZID=America/New_York:20261204T190000"));
    EXPECT_TRUE(has("UID:reservation-11-20261204@poki"));
    EXPECT_TRUE(has("DTSTART;TZID=America/New_York:20261205T090000"));
    EXPECT_TRUE(has("UID:mission-3@poki"));
    EXPECT_TRUE(has("DTSTART:20261210T090000Z"));
    EXPECT_TRUE(has("UID:board-4@poki"));
    EXPECT_TRUE(has("DTSTART;VALUE=DATE:20261130"));  // 10:30 in New York that day
    EXPECT_TRUE(has("SUMMARY:선물 받는 날: 공룡 인형"));
    EXPECT_EQ(text, feed_text({new_york(), events, plans, due, gifts, 2030}));  // same bytes
}

}  // namespace
}  // namespace poki::calendar
