// reservations/reservation_plan: which occurrences are pending, recorded or due, and the
// catch-up rule after downtime.
#include "poki/reservations/reservation_plan.hpp"

#include <gtest/gtest.h>

#include "poki/schedule/schedule_json.hpp"
#include "poki/schedule/time_zones.hpp"

namespace poki::reservations {
namespace {

using namespace date::literals;  // NOLINT(google-build-using-namespace): dates read as dates
using std::chrono::sys_seconds;

sys_seconds utc(std::string_view rfc3339) {  // "…Z"
    return sys_seconds{schedule::parse_local_time(rfc3339.substr(0, 19))->time_since_epoch()};
}

std::string utc_text(sys_seconds t) {
    return date::format("%FT%TZ", t);
}

std::vector<std::string> instants(const std::vector<occurrence>& list) {
    std::vector<std::string> out;
    out.reserve(list.size());
    for (const auto& o : list) {
        out.push_back(utc_text(o.at));
    }
    return out;
}

class PlanTest : public ::testing::Test {
  protected:
    const date::time_zone& new_york_ = *schedule::find_zone("America/New_York");
    // Every day at 19:00 New York time from 2026-03-06.
    schedule::recurrence daily_ = [] {
        schedule::recurrence r{date::local_days{2026_y / 3 / 6}, std::chrono::hours{19}, {}};
        r.repeat.every = schedule::frequency::day;
        return r;
    }();
    std::vector<occurrence_record> records_;

    [[nodiscard]] plan_input plan() const { return {daily_, new_york_, records_}; }
};

TEST_F(PlanTest, PendingFollowsLocalTimeAcrossTheSpringChange) {
    EXPECT_EQ(instants(pending_between(plan(), utc("2026-03-06T00:00:00Z"),
                                       utc("2026-03-10T00:00:00Z"), 10)),
              (std::vector<std::string>{"2026-03-07T00:00:00Z", "2026-03-08T00:00:00Z",
                                        "2026-03-08T23:00:00Z", "2026-03-09T23:00:00Z"}));
}

TEST_F(PlanTest, PendingIsAHalfOpenWindowAndHonoursTheLimit) {
    // (after, through]: the occurrence at `after` is done with, the one at `through` is due.
    EXPECT_EQ(instants(pending_between(plan(), utc("2026-03-07T00:00:00Z"),
                                       utc("2026-03-08T00:00:00Z"), 10)),
              std::vector<std::string>{"2026-03-08T00:00:00Z"});
    EXPECT_EQ(
        pending_between(plan(), utc("2026-03-06T00:00:00Z"), utc("2027-03-06T00:00:00Z"), 3).size(),
        3U);
}

TEST_F(PlanTest, ASkippedDayIsNotPendingAndAMovedOneIsPendingAtItsNewTime) {
    records_.push_back({date::local_days{2026_y / 3 / 7}, occurrence_state::skipped, {}, {}});
    records_.push_back({date::local_days{2026_y / 3 / 8},
                        occurrence_state::moved,
                        *schedule::parse_local_time("2026-03-09T08:00"),
                        {}});
    const auto pending =
        pending_between(plan(), utc("2026-03-07T00:00:00Z"), utc("2026-03-10T00:00:00Z"), 10);
    EXPECT_EQ(instants(pending),
              (std::vector<std::string>{"2026-03-09T12:00:00Z", "2026-03-09T23:00:00Z"}));
    ASSERT_EQ(pending.size(), 2U);
    EXPECT_TRUE(pending[0].moved);
    EXPECT_EQ(pending[0].on_date, date::local_days{2026_y / 3 / 8});  // keeps its identity
}

TEST_F(PlanTest, AMovedOneStaysPendingEvenWhenMovedBeforeTheCursor) {
    // Moved to a time that has already passed by the time the job looks: it is still due.
    records_.push_back({date::local_days{2026_y / 3 / 20},
                        occurrence_state::moved,
                        *schedule::parse_local_time("2026-03-09T08:00"),
                        {}});
    const auto pending =
        pending_between(plan(), utc("2026-03-10T00:00:00Z"), utc("2026-03-10T01:00:00Z"), 10);
    EXPECT_EQ(instants(pending), std::vector<std::string>{"2026-03-09T12:00:00Z"});
}

TEST_F(PlanTest, NextPendingEndsWithTheRule) {
    daily_.repeat.count = 2;
    EXPECT_EQ(utc_text(next_pending(plan(), utc("2026-03-07T00:00:00Z"))->at),
              "2026-03-08T00:00:00Z");
    EXPECT_FALSE(next_pending(plan(), utc("2026-03-08T00:00:00Z")));
}

TEST_F(PlanTest, OccurrencesShowRecordsBehindTheCursorAndTheRuleAhead) {
    records_.push_back({date::local_days{2026_y / 3 / 6}, occurrence_state::activated, {}, 41});
    records_.push_back({date::local_days{2026_y / 3 / 7}, occurrence_state::missed, {}, {}});
    const auto list =
        occurrences_between(plan(), utc("2026-03-08T00:00:00Z"), utc("2026-03-06T00:00:00Z"),
                            utc("2026-03-10T00:00:00Z"), 50);
    // 03-08 00:00Z (the 7th's) is missed; 03-08 itself (23:00Z) and 03-09 are ahead.
    ASSERT_EQ(list.size(), 4U);
    EXPECT_EQ(list[0].state, occurrence_state::activated);
    EXPECT_EQ(list[0].mission_id, 41);
    EXPECT_EQ(list[1].state, occurrence_state::missed);
    EXPECT_FALSE(list[2].state);
    EXPECT_EQ(utc_text(list[2].at), "2026-03-08T23:00:00Z");
    EXPECT_FALSE(list[3].state);
}

TEST_F(PlanTest, OccurrencesBehindTheCursorWithoutARecordAreNotInvented) {
    // A reservation paused for days: its rule's dates then were never activated or recorded.
    const auto list =
        occurrences_between(plan(), utc("2026-03-09T00:00:00Z"), utc("2026-03-06T00:00:00Z"),
                            utc("2026-03-10T00:00:00Z"), 50);
    EXPECT_EQ(instants(list), std::vector<std::string>{"2026-03-09T23:00:00Z"});
}

TEST(CatchUp, OnlyTheLatestStillDoableOneBecomesAMission) {
    const std::vector<occurrence> due{
        {date::local_days{2026_y / 12 / 1}, {}, utc("2026-12-01T10:00:00Z"), {}, false, {}},
        {date::local_days{2026_y / 12 / 2}, {}, utc("2026-12-02T10:00:00Z"), {}, false, {}},
        {date::local_days{2026_y / 12 / 3}, {}, utc("2026-12-03T10:00:00Z"), {}, false, {}}};
    const auto now = utc("2026-12-03T10:30:00Z");

    const auto with_an_hour = apply_catch_up(due, 60, now);
    ASSERT_TRUE(with_an_hour.activate);
    EXPECT_EQ(with_an_hour.activate->on_date, date::local_days{2026_y / 12 / 3});
    EXPECT_EQ(instants(with_an_hour.missed),
              (std::vector<std::string>{"2026-12-01T10:00:00Z", "2026-12-02T10:00:00Z"}));

    const auto with_twenty_minutes = apply_catch_up(due, 20, now);  // the latest is overdue too
    EXPECT_FALSE(with_twenty_minutes.activate);
    EXPECT_EQ(with_twenty_minutes.missed.size(), 3U);

    const auto without_a_due_time = apply_catch_up(due, std::nullopt, now);
    ASSERT_TRUE(without_a_due_time.activate);
    EXPECT_EQ(without_a_due_time.missed.size(), 2U);

    EXPECT_FALSE(apply_catch_up({}, 60, now).activate);
}

}  // namespace
}  // namespace poki::reservations
