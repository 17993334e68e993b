// The reservation service without HTTP, against a fresh database: occurrences become missions
// exactly once (two services racing, a claim that dies before it commits, a restart after
// downtime under the catch-up rule), pause and resume, this-and-future edits, skips and
// moves, a zone change, and another family's reservations stay out of reach.
#include "poki/reservations/reservation_service.hpp"

#include <thread>

#include <boost/asio/experimental/awaitable_operators.hpp>
#include <gtest/gtest.h>

#include "poki/core/timestamp.hpp"
#include "poki/notify/event_service.hpp"
#include "poki/schedule/schedule_json.hpp"
#include "poki/schedule/time_zones.hpp"

#include "support/service_stack.hpp"

namespace poki::reservations {
namespace {

using std::chrono::sys_seconds;

sys_seconds now_s() {
    return std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
}

class ReservationServiceTest : public ::testing::Test {
  protected:
    ReservationServiceTest() : stack_{4} {
        ours_ = stack_.add_family("ours").id;
        const auto theirs = stack_.add_family("theirs").id;
        mom_ = stack_.add_member(ours_, role::parent, "mom");
        kid_ = stack_.add_member(ours_, role::child, "kid");
        sibling_ = stack_.add_member(ours_, role::child, "sibling");
        stranger_ = stack_.add_member(theirs, role::parent, "stranger");
        events_ = std::make_unique<notify::event_service>(
            *stack_.pool, *stack_.reads, *stack_.redis, events_config_, push_config_);
        service_ = make_service();
    }

    [[nodiscard]] std::unique_ptr<reservation_service> make_service() {
        return std::make_unique<reservation_service>(*stack_.pool, *stack_.reads, *events_,
                                                     config_);
    }

    template <class T>
    T run(awaitable<T> task) {
        return stack_.run(std::move(task));
    }

    /// Every day at the local time `ago` before now (so today's has just passed), from a
    /// week back: nothing is due until the test moves the cursor back.
    static schedule::recurrence daily_just_past(std::chrono::minutes ago) {
        const auto& seoul = *schedule::find_zone("Asia/Seoul");
        const auto local = schedule::to_local(seoul, now_s() - ago);
        const auto day = date::floor<date::days>(local);
        schedule::recurrence r{day - date::days{7}, local - day, {}};
        r.repeat.every = schedule::frequency::day;
        return r;
    }

    std::int64_t create(schedule::recurrence when, std::optional<int> due_minutes = 60,
                        std::int64_t child = 0) {
        new_reservation input;
        input.mission.child_id = child != 0 ? child : kid_.user_id;
        input.mission.title = "책 20분 읽기";
        input.mission.reward = 2;
        input.mission.due_minutes = due_minutes;
        input.when = when;
        return run(service_->create(mom_, std::move(input))).body.at("id").get<std::int64_t>();
    }

    void sql(const std::string& statement) const {
        pqxx::connection c{stack_.database.url()};
        pqxx::work tx{c};
        tx.exec(statement);
        tx.commit();
    }

    /// As if no instance had run for `downtime`: the cursor moves back and the row is due.
    void rewind(std::int64_t id, std::chrono::hours downtime) const {
        sql("UPDATE reservations SET cursor_at = cursor_at - interval '" +
            std::to_string(downtime.count()) +
            " hours', next_at = now() WHERE id = " + std::to_string(id));
    }

    [[nodiscard]] std::int64_t missions_of(std::int64_t child) const {
        return stack_.count("SELECT count(*) FROM missions WHERE child_id = " +
                            std::to_string(child));
    }

    [[nodiscard]] std::int64_t records(std::int64_t id, std::string_view state) const {
        return stack_.count("SELECT count(*) FROM reservation_occurrences WHERE reservation_id = " +
                            std::to_string(id) + " AND state = '" + std::string{state} + "'");
    }

    test::service_stack stack_;
    events_config events_config_;
    push_config push_config_;
    reservations_config config_;
    std::unique_ptr<notify::event_service> events_;
    std::unique_ptr<reservation_service> service_;
    std::int64_t ours_ = 0;
    principal mom_;
    principal kid_;
    principal sibling_;
    principal stranger_;
};

TEST_F(ReservationServiceTest, NothingHappensBeforeItsTime) {
    const auto id = create(daily_just_past(std::chrono::minutes{10}));
    EXPECT_EQ(run(service_->activate_due()), 0);
    EXPECT_EQ(missions_of(kid_.user_id), 0);
    const auto r = run(service_->get(mom_, id));
    ASSERT_TRUE(r.next_at);
    EXPECT_FALSE(r.paused);
}

TEST_F(ReservationServiceTest, AfterDowntimeOnlyTheLatestStillDoableOccurrenceIsMade) {
    const auto id = create(daily_just_past(std::chrono::minutes{10}));
    rewind(id, std::chrono::hours{72});  // three days down: three occurrences came due
    EXPECT_EQ(run(service_->activate_due()), 1);
    EXPECT_EQ(missions_of(kid_.user_id), 1);
    EXPECT_EQ(records(id, "activated"), 1);
    EXPECT_EQ(records(id, "missed"), 2);
    // The mission is today's, due an hour after its occurrence.
    EXPECT_EQ(stack_.count("SELECT count(*) FROM missions WHERE due_at BETWEEN now() + "
                           "interval '49 minutes' AND now() + interval '51 minutes'"),
              1);
    // Run again (a restart): nothing more.
    rewind(id, std::chrono::hours{0});
    EXPECT_EQ(run(service_->activate_due()), 0);
    EXPECT_EQ(missions_of(kid_.user_id), 1);
}

TEST_F(ReservationServiceTest, AfterDowntimeLongerThanTheDueTimeNothingIsMade) {
    const auto id = create(daily_just_past(std::chrono::minutes{90}));  // due 60 min after
    rewind(id, std::chrono::hours{48});
    EXPECT_EQ(run(service_->activate_due()), 0);
    EXPECT_EQ(records(id, "missed"), 2);
    const auto listed = run(service_->occurrences(mom_, id, now_s() - std::chrono::hours{72},
                                                  now_s() + std::chrono::hours{24}));
    ASSERT_EQ(listed.size(), 3U);  // two missed, tomorrow's ahead
    EXPECT_EQ(listed[0].state, occurrence_state::missed);
    EXPECT_EQ(listed[1].state, occurrence_state::missed);
    EXPECT_FALSE(listed[2].state);
}

TEST_F(ReservationServiceTest, TwoServicesRacingMakeEachOccurrenceOnce) {
    constexpr int reservations = 60;
    config_.activation_batch = 7;  // many small batches, so the two interleave
    std::vector<std::int64_t> ids;
    for (int i = 0; i < reservations; ++i) {
        ids.push_back(create(daily_just_past(std::chrono::minutes{5}), 60,
                             i % 2 == 0 ? kid_.user_id : sibling_.user_id));
        rewind(ids.back(), std::chrono::hours{1});
    }
    auto other = make_service();
    const auto [first, second] = run([&]() -> awaitable<std::tuple<std::int64_t, std::int64_t>> {
        using namespace boost::asio::experimental::awaitable_operators;  // NOLINT
        co_return co_await (service_->activate_due() && other->activate_due());
    }());
    EXPECT_EQ(first + second, reservations);
    EXPECT_EQ(missions_of(kid_.user_id) + missions_of(sibling_.user_id), reservations);
    EXPECT_EQ(stack_.count("SELECT count(DISTINCT reservation_id) FROM reservation_occurrences"
                           " WHERE state = 'activated'"),
              reservations);
    EXPECT_EQ(stack_.count("SELECT count(*) FROM events WHERE type = 'mission.activated'"),
              reservations * 2);  // the child and the one parent
    // A batch's missions are inserted in one statement: each record and each event names
    // the mission made for its own reservation (the children alternate, so a shift shows).
    EXPECT_EQ(stack_.count("SELECT count(*) FROM reservation_occurrences o"
                           " JOIN reservations r ON r.id = o.reservation_id"
                           " JOIN missions m ON m.id = o.mission_id AND m.child_id = r.child_id"
                           " WHERE o.state = 'activated'"),
              reservations);
    EXPECT_EQ(stack_.count("SELECT count(*) FROM events e JOIN reservation_occurrences o"
                           " ON o.mission_id = (e.payload->'mission'->>'id')::bigint"
                           " AND o.reservation_id = (e.payload->>'reservation_id')::bigint"
                           " WHERE e.type = 'mission.activated'"),
              reservations * 2);
}

TEST_F(ReservationServiceTest, AClaimThatDiesBeforeCommittingIsMadeOnceByAnother) {
    std::vector<std::int64_t> ids;
    for (int i = 0; i < 6; ++i) {
        ids.push_back(create(daily_just_past(std::chrono::minutes{5})));
        rewind(ids.back(), std::chrono::hours{1});
    }
    {
        // Another instance claims three and makes their missions, then dies: its transaction
        // never commits.
        pqxx::connection dying{stack_.database.url()};
        pqxx::work tx{dying};
        const auto backend = tx.exec1("SELECT pg_backend_pid()")[0].as<int>();
        const auto claimed = tx.exec(
            "SELECT id FROM reservations WHERE next_at <= now() ORDER BY id LIMIT 3"
            " FOR UPDATE SKIP LOCKED");
        ASSERT_EQ(claimed.size(), 3U);
        tx.exec_params(
            "INSERT INTO missions (family_id, child_id, created_by, title, reward)"
            " VALUES ($1, $2, $3, 'lost', 1)",
            ours_, kid_.user_id, mom_.user_id);
        EXPECT_EQ(run(service_->activate_due()), 3);  // the rest, not the claimed ones
        // …and dies: its backend goes away without a commit.
        EXPECT_EQ(
            stack_.count("SELECT pg_terminate_backend(" + std::to_string(backend) + ", 5000)::int"),
            1);
    }
    EXPECT_EQ(run(service_->activate_due()), 3);
    EXPECT_EQ(missions_of(kid_.user_id), 6);
    EXPECT_EQ(stack_.count("SELECT count(*) FROM missions WHERE title = 'lost'"), 0);
    for (const auto id : ids) {
        EXPECT_EQ(records(id, "activated"), 1) << id;
    }
}

TEST_F(ReservationServiceTest, OneThatCannotBeMadeDoesNotHoldUpTheOthers) {
    const auto elsewhere = stack_.add_family("elsewhere").id;
    const auto their_kid = stack_.add_member(elsewhere, role::child, "their kid");
    const auto their_mom = stack_.add_member(elsewhere, role::parent, "their mom");
    new_reservation input;
    input.mission.child_id = their_kid.user_id;
    input.mission.title = "x";
    input.when = daily_just_past(std::chrono::minutes{5});
    const auto bad =
        run(service_->create(their_mom, std::move(input))).body.at("id").get<std::int64_t>();
    const auto good = create(daily_just_past(std::chrono::minutes{5}));
    rewind(bad, std::chrono::hours{1});
    rewind(good, std::chrono::hours{1});
    // A zone the tz database no longer knows (no code path stores one): the plan cannot be
    // computed for that family.
    sql("UPDATE families SET time_zone = 'Nowhere/Gone' WHERE id = " + std::to_string(elsewhere));
    EXPECT_EQ(run(service_->activate_due()), 1);
    EXPECT_EQ(records(good, "activated"), 1);
    EXPECT_EQ(records(bad, "activated"), 0);
    EXPECT_EQ(stack_.count("SELECT count(*) FROM reservations WHERE id = " + std::to_string(bad) +
                           " AND next_at > now() + interval '4 minutes'"),
              1);  // set aside, tried again later
    EXPECT_EQ(run(service_->activate_due()), 0);
}

TEST_F(ReservationServiceTest, PausedOccurrencesNeverHappenAndResumeGoesOnFromNow) {
    const auto id = create(daily_just_past(std::chrono::minutes{10}));
    const auto paused = run(service_->pause(mom_, id));
    EXPECT_TRUE(paused.paused);
    EXPECT_FALSE(paused.next_at);
    rewind(id, std::chrono::hours{48});
    sql("UPDATE reservations SET next_at = NULL WHERE id = " + std::to_string(id));
    EXPECT_EQ(run(service_->activate_due()), 0);
    const auto resumed = run(service_->resume(mom_, id));
    EXPECT_FALSE(resumed.paused);
    ASSERT_TRUE(resumed.next_at);
    EXPECT_EQ(run(service_->activate_due()), 0);  // what fell in the pause is not made
    EXPECT_EQ(missions_of(kid_.user_id), 0);
    EXPECT_EQ(records(id, "missed"), 0);
}

TEST_F(ReservationServiceTest, ChangingTheScheduleKeepsThePastAndForgetsSkipsAhead) {
    const auto id = create(daily_just_past(std::chrono::minutes{10}));
    rewind(id, std::chrono::hours{24});
    EXPECT_EQ(run(service_->activate_due()), 1);
    const auto before = run(service_->get(mom_, id));
    const auto tomorrow = before.when.starts_on + date::days{8};
    (void)run(service_->change_occurrence(mom_, id, {tomorrow, std::nullopt}));
    EXPECT_EQ(records(id, "skipped"), 1);

    reservation_patch patch;
    patch.title = "책 30분 읽기";
    auto later = before.when;
    later.at = std::chrono::hours{20};
    later.repeat.every = schedule::frequency::week;
    patch.when = later;
    const auto after = run(service_->update(mom_, id, patch));
    EXPECT_EQ(after.mission.title, "책 30분 읽기");
    EXPECT_EQ(after.when.repeat.every, schedule::frequency::week);
    EXPECT_EQ(records(id, "activated"), 1);  // today's mission stays
    EXPECT_EQ(records(id, "skipped"), 0);    // tomorrow's skip belonged to the old schedule
    EXPECT_EQ(stack_.count("SELECT count(*) FROM missions WHERE title = '책 20분 읽기'"), 1);
}

TEST_F(ReservationServiceTest, SkipAndMoveOneOccurrence) {
    const auto id = create(daily_just_past(std::chrono::minutes{10}));
    const auto r = run(service_->get(mom_, id));
    const auto today = r.when.starts_on + date::days{7};
    const auto& seoul = *schedule::find_zone("Asia/Seoul");
    const auto instant_on = [&](date::local_days d) {
        return format_rfc3339(std::chrono::time_point_cast<std::chrono::milliseconds>(
            schedule::to_instant(seoul, date::local_seconds{d} + r.when.at)));
    };
    EXPECT_EQ(r.next_at, instant_on(today + date::days{1}));

    const auto skipped = run(service_->change_occurrence(mom_, id, {today + date::days{1}, {}}));
    EXPECT_EQ(skipped.next_at, instant_on(today + date::days{2}));

    const auto moved_to = date::local_seconds{today + date::days{3}} + std::chrono::hours{6};
    const auto moved =
        run(service_->change_occurrence(mom_, id, {today + date::days{5}, moved_to}));
    EXPECT_EQ(moved.next_at, instant_on(today + date::days{2}));
    const auto list = run(service_->occurrences(mom_, id, now_s(), now_s() + date::days{6}));
    ASSERT_GE(list.size(), 4U);
    const auto moved_one =
        std::find_if(list.begin(), list.end(), [](const occurrence& o) { return o.moved; });
    ASSERT_NE(moved_one, list.end());
    EXPECT_EQ(moved_one->on_date, today + date::days{5});
    EXPECT_EQ(moved_one->local_at, moved_to);

    EXPECT_EQ(test::failure_of([&] {
                  (void)run(service_->change_occurrence(mom_, id, {today, {}}));  // passed
              }),
              errc::conflict);
    EXPECT_EQ(
        test::failure_of([&] {
            (void)run(service_->change_occurrence(
                mom_, id, {today + date::days{4}, date::local_seconds{today - date::days{1}}}));
        }),
        errc::validation_failed);
    auto weekly = r.when;
    weekly.repeat.every = schedule::frequency::week;
    reservation_patch patch;
    patch.when = weekly;
    (void)run(service_->update(mom_, id, patch));
    EXPECT_EQ(test::failure_of([&] {  // not one of the weekly rule's dates
                  (void)run(service_->change_occurrence(mom_, id, {today + date::days{1}, {}}));
              }),
              errc::not_found);
}

TEST_F(ReservationServiceTest, AMovedOccurrenceBecomesAMissionAtItsNewTimeOnce) {
    const auto id = create(daily_just_past(std::chrono::minutes{10}));
    const auto r = run(service_->get(mom_, id));
    const auto tomorrow = r.when.starts_on + date::days{8};
    const auto& seoul = *schedule::find_zone("Asia/Seoul");
    // now_s() is the whole second before now: two seconds on is surely ahead when it is read.
    const auto soon = schedule::to_local(seoul, now_s() + std::chrono::seconds{2});
    const auto moved = run(service_->change_occurrence(mom_, id, {tomorrow, soon}));
    EXPECT_EQ(moved.next_at, format_rfc3339(std::chrono::time_point_cast<std::chrono::milliseconds>(
                                 schedule::to_instant(seoul, soon))));
    std::this_thread::sleep_for(std::chrono::milliseconds{2500});  // its new time comes
    EXPECT_EQ(run(service_->activate_due()), 1);
    EXPECT_EQ(run(service_->activate_due()), 0);
    EXPECT_EQ(records(id, "activated"), 1);
    EXPECT_EQ(records(id, "moved"), 0);
    EXPECT_EQ(stack_.count("SELECT count(*) FROM reservation_occurrences WHERE reservation_id = " +
                           std::to_string(id) + " AND on_date = '" +
                           schedule::format_date(tomorrow) + "' AND moved_to IS NOT NULL"),
              1);  // it keeps its identity and where it was moved to
    EXPECT_EQ(missions_of(kid_.user_id), 1);
    // Tomorrow's own time is not made again: the day's occurrence happened.
    const auto after = run(service_->get(mom_, id));
    EXPECT_EQ(
        after.next_at,
        format_rfc3339(std::chrono::time_point_cast<std::chrono::milliseconds>(schedule::to_instant(
            seoul, date::local_seconds{tomorrow + date::days{1}} + r.when.at))));
}

TEST_F(ReservationServiceTest, AZoneChangeMovesTheNextOccurrenceToTheNewZonesClock) {
    schedule::recurrence when{
        date::floor<date::days>(schedule::to_local(*schedule::find_zone("Asia/Seoul"), now_s())) +
            date::days{2},
        std::chrono::hours{19},
        {}};
    const auto id = create(when);
    EXPECT_EQ(run(service_->get(mom_, id)).next_at->substr(11, 5), "10:00");  // 19:00 KST
    run(stack_.pool->run([this](pqxx::connection& c) {
        pqxx::work tx{c};
        tx.exec_params("UPDATE families SET time_zone = 'Europe/London' WHERE id = $1", ours_);
        reservation_service::rezone(tx, ours_);
        tx.commit();
    }));
    const auto r = run(service_->get(mom_, id));
    EXPECT_EQ(r.time_zone, "Europe/London");
    EXPECT_EQ(r.next_at->substr(11, 5), "19:00");  // 19:00 GMT in December
}

TEST_F(ReservationServiceTest, OnlyTheFamilysParentsPlanAndAChildSeesTheirOwn) {
    const auto id = create(daily_just_past(std::chrono::minutes{10}));
    const auto siblings = create(daily_just_past(std::chrono::minutes{10}), 60, sibling_.user_id);
    new_reservation input;
    input.mission.child_id = kid_.user_id;
    input.mission.title = "x";
    input.when = daily_just_past(std::chrono::minutes{10});
    EXPECT_EQ(test::failure_of([&] { (void)run(service_->create(kid_, input)); }), errc::forbidden);
    EXPECT_EQ(test::failure_of([&] { (void)run(service_->create(stranger_, input)); }),
              errc::not_found);  // not a child of the stranger's family
    EXPECT_EQ(test::failure_of([&] { (void)run(service_->get(stranger_, id)); }), errc::not_found);
    EXPECT_EQ(test::failure_of([&] { (void)run(service_->pause(stranger_, id)); }),
              errc::not_found);
    EXPECT_EQ(test::failure_of([&] { run(service_->remove(stranger_, id)); }), errc::not_found);
    EXPECT_EQ(test::failure_of([&] { (void)run(service_->get(kid_, siblings)); }), errc::not_found);
    EXPECT_EQ(test::failure_of([&] { (void)run(service_->pause(kid_, id)); }), errc::forbidden);
    EXPECT_EQ(run(service_->get(kid_, id)).id, id);
    const auto kids = run(service_->list(kid_, {}));
    ASSERT_EQ(kids.items.size(), 1U);
    EXPECT_EQ(kids.items[0].id, id);
    EXPECT_EQ(run(service_->list(mom_, {})).items.size(), 2U);
    EXPECT_TRUE(run(service_->list(stranger_, {})).items.empty());
    run(service_->remove(mom_, id));
    EXPECT_EQ(test::failure_of([&] { (void)run(service_->get(mom_, id)); }), errc::not_found);
}

}  // namespace
}  // namespace poki::reservations
