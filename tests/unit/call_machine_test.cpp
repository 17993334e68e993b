// calls/call_machine: the rules of a call, without I/O.
#include "poki/calls/call_machine.hpp"

#include <gtest/gtest.h>

#include "poki/core/error.hpp"

namespace poki::calls {
namespace {

constexpr std::int64_t mom = 1;
constexpr std::int64_t kid = 2;
constexpr std::int64_t dad = 3;
constexpr std::int64_t grandma = 4;

const device mom_phone{"a/1", "a"};
const device kid_tablet{"b/7", "b"};
const device kid_phone{"a/9", "a"};
const device dad_laptop{"b/3", "b"};

call_record ringing(std::vector<std::int64_t> callees, std::vector<std::int64_t> busy = {}) {
    call_record c;
    c.id = "00000000-0000-4000-8000-000000000001";
    c.caller_id = mom;
    c.parties.push_back({mom, party_state::joined, mom_phone, false});
    for (const auto id : callees) {
        const bool is_busy = std::find(busy.begin(), busy.end(), id) != busy.end();
        c.parties.push_back(
            {id, is_busy ? party_state::busy : party_state::ringing, std::nullopt, false});
    }
    const auto events = call_machine::open(c);
    EXPECT_EQ(events.empty(), !is_final(c.state));
    return c;
}

std::string refusal(const std::function<void()>& f) {
    try {
        f();
    } catch (const error& e) {
        return e.reason().empty() ? std::string{to_string(e.code())} : e.reason();
    }
    return "allowed";
}

std::vector<call_news> news_of(const call_events& events) {
    std::vector<call_news> out;
    for (const auto& e : events) {
        out.push_back(e.news);
    }
    return out;
}

TEST(CallMachine, AnsweredThenHungUp) {
    auto c = ringing({kid});
    EXPECT_EQ(c.state, call_state::ringing);
    EXPECT_TRUE(c.ringing_deadline);
    const auto answered = call_machine::accept(c, kid, kid_tablet);
    ASSERT_EQ(answered.size(), 1U);
    EXPECT_EQ(answered[0].news, call_news::accepted);
    EXPECT_EQ(answered[0].from, kid_tablet);
    EXPECT_EQ(c.state, call_state::accepted);
    EXPECT_FALSE(c.ringing_deadline);
    EXPECT_EQ(c.party(kid)->in_call, kid_tablet);

    // The first device wins; a second answer is refused.
    EXPECT_EQ(refusal([&] { (void)call_machine::accept(c, kid, kid_phone); }), "already_answered");
    EXPECT_EQ(refusal([&] { (void)call_machine::cancel(c, mom); }), "already_answered");

    EXPECT_EQ(news_of(call_machine::hang_up(c, kid, end_reason::hang_up)),
              std::vector{call_news::ended});
    EXPECT_EQ(c.state, call_state::ended);
    EXPECT_EQ(c.reason, end_reason::hang_up);
    EXPECT_EQ(c.party(mom)->state, party_state::left);
    EXPECT_FALSE(c.party(mom)->in_call);
    EXPECT_EQ(refusal([&] { (void)call_machine::hang_up(c, mom, end_reason::hang_up); }),
              "call_over");
    EXPECT_EQ(refusal([&] { (void)call_machine::accept(c, kid, kid_tablet); }), "call_over");
}

TEST(CallMachine, RejectedCancelledMissedBusy) {
    auto rejected = ringing({kid});
    EXPECT_EQ(refusal([&] { (void)call_machine::reject(rejected, mom); }), "not_ringing");
    EXPECT_EQ(news_of(call_machine::reject(rejected, kid)),
              (std::vector{call_news::declined, call_news::ended}));
    EXPECT_EQ(rejected.state, call_state::rejected);
    EXPECT_FALSE(rejected.reason);

    auto cancelled = ringing({kid});
    EXPECT_EQ(refusal([&] { (void)call_machine::cancel(cancelled, kid); }), "not_the_caller");
    EXPECT_EQ(news_of(call_machine::cancel(cancelled, mom)), std::vector{call_news::ended});
    EXPECT_EQ(cancelled.state, call_state::cancelled);
    EXPECT_EQ(cancelled.party(kid)->state, party_state::cancelled);
    EXPECT_FALSE(cancelled.ringing_deadline);

    // The caller hanging up while it rings is a cancel; the callee's is a reject.
    auto hung_up_early = ringing({kid});
    (void)call_machine::hang_up(hung_up_early, mom, end_reason::hang_up);
    EXPECT_EQ(hung_up_early.state, call_state::cancelled);
    auto said_no = ringing({kid});
    (void)call_machine::hang_up(said_no, kid, end_reason::hang_up);
    EXPECT_EQ(said_no.state, call_state::rejected);

    auto missed = ringing({kid});
    EXPECT_EQ(news_of(call_machine::time_out(missed)),
              (std::vector{call_news::missed, call_news::ended}));
    EXPECT_EQ(missed.state, call_state::missed);
    EXPECT_EQ(missed.party(kid)->state, party_state::missed);
    EXPECT_TRUE(call_machine::time_out(missed).empty());  // a second sweep changes nothing

    const auto busy = ringing({kid}, {kid});
    EXPECT_EQ(busy.state, call_state::busy);
    EXPECT_FALSE(busy.ringing_deadline);
}

TEST(CallMachine, OnlyPartiesAndOnlyFourPeople) {
    auto c = ringing({kid});
    EXPECT_EQ(refusal([&] { (void)call_machine::accept(c, dad, dad_laptop); }), "call_not_found");
    EXPECT_EQ(refusal([&] { (void)call_machine::rejoin(c, kid, kid_phone); }), "not_in_call");

    call_record crowd;
    crowd.caller_id = mom;
    crowd.parties.push_back({mom, party_state::joined, mom_phone, false});
    for (std::int64_t id = 2; id <= 5; ++id) {
        crowd.parties.push_back({id, party_state::ringing, std::nullopt, false});
    }
    EXPECT_EQ(refusal([&] { (void)call_machine::open(crowd); }), "validation_failed");
    crowd.parties.resize(1);
    EXPECT_EQ(refusal([&] { (void)call_machine::open(crowd); }), "validation_failed");
}

TEST(CallMachine, AFamilyCallGoesOnWhileTwoAreIn) {
    auto c = ringing({kid, dad, grandma}, {grandma});
    EXPECT_EQ(c.state, call_state::ringing);
    EXPECT_EQ(c.party(grandma)->state, party_state::busy);
    (void)call_machine::accept(c, kid, kid_tablet);
    EXPECT_EQ(c.state, call_state::accepted);
    EXPECT_TRUE(c.ringing_deadline);  // dad is still rung
    EXPECT_EQ(news_of(call_machine::time_out(c)), std::vector{call_news::missed});
    EXPECT_EQ(c.state, call_state::accepted);
    EXPECT_FALSE(c.ringing_deadline);

    auto bigger = ringing({kid, dad});
    (void)call_machine::accept(bigger, kid, kid_tablet);
    (void)call_machine::accept(bigger, dad, dad_laptop);
    const auto left = call_machine::hang_up(bigger, kid, end_reason::hang_up);
    ASSERT_EQ(news_of(left), std::vector{call_news::left});
    EXPECT_EQ(left[0].user_id, kid);
    EXPECT_EQ(bigger.state, call_state::accepted);
    EXPECT_EQ(news_of(call_machine::hang_up(bigger, dad, end_reason::failed_media)),
              std::vector{call_news::ended});
    EXPECT_EQ(bigger.state, call_state::ended);
    EXPECT_EQ(bigger.reason, end_reason::failed_media);
}

TEST(CallMachine, ALostConnectionEndsTheCallUnlessItCameBack) {
    auto c = ringing({kid});
    (void)call_machine::accept(c, kid, kid_tablet);
    // Back on the phone before the grace ran out: losing the tablet changes nothing.
    EXPECT_EQ(news_of(call_machine::rejoin(c, kid, kid_phone)), std::vector{call_news::rejoined});
    EXPECT_TRUE(call_machine::lose(c, kid, kid_tablet).empty());
    EXPECT_EQ(c.state, call_state::accepted);
    EXPECT_EQ(news_of(call_machine::lose(c, kid, kid_phone)), std::vector{call_news::ended});
    EXPECT_EQ(c.state, call_state::ended);
    EXPECT_EQ(c.reason, end_reason::connection_lost);
    EXPECT_TRUE(call_machine::lose(c, kid, kid_phone).empty());
}

TEST(CallTypes, NamesRoundTrip) {
    for (const auto s :
         {call_state::ringing, call_state::accepted, call_state::ended, call_state::rejected,
          call_state::cancelled, call_state::missed, call_state::busy}) {
        EXPECT_EQ(parse_call_state(to_string(s)), s);
    }
    for (const auto s :
         {party_state::ringing, party_state::joined, party_state::declined, party_state::missed,
          party_state::left, party_state::busy, party_state::cancelled}) {
        EXPECT_EQ(parse_party_state(to_string(s)), s);
    }
    EXPECT_EQ(parse_end_reason("connection_lost"), end_reason::connection_lost);
    EXPECT_EQ(parse_media("audio"), call_media::audio);
    EXPECT_FALSE(parse_media("hologram"));
}

}  // namespace
}  // namespace poki::calls
