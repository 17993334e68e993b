#include "poki/calls/call_machine.hpp"

#include <algorithm>

#include "poki/core/error.hpp"

namespace poki::calls::call_machine {
namespace {

error not_a_party() {
    // The same answer as for a call that does not exist: another family's calls stay unseen.
    return error{errc::not_found, "call_not_found", "There is no such call of yours."};
}

error not_now(std::string_view reason, std::string detail, const call_record& call) {
    auto e = error::conflict_in_state(std::move(detail), std::string{to_string(call.state)});
    return error{e.code(), reason, e.detail()};
}

call_party& party_of(call_record& call, std::int64_t user_id) {
    auto* p = call.party(user_id);
    if (p == nullptr) {
        throw not_a_party();
    }
    return *p;
}

void require_live(const call_record& call) {
    if (is_final(call.state)) {
        throw not_now("call_over", "This call is over.", call);
    }
}

std::size_t count(const call_record& call, party_state s) {
    return static_cast<std::size_t>(
        std::count_if(call.parties.begin(), call.parties.end(),
                      [s](const call_party& p) { return p.state == s; }));
}

void leave(call_party& p, party_state to) {
    p.state = to;
    p.in_call.reset();
    p.lost = false;
}

/// After any change: a call nobody is rung in any more and fewer than two are in is over.
void settle(call_record& call, end_reason why, call_events& out) {
    call.ringing_deadline = count(call, party_state::ringing) > 0;
    if (is_final(call.state) || call.ringing_deadline || count(call, party_state::joined) >= 2) {
        return;
    }
    if (call.state == call_state::accepted) {
        call.state = call_state::ended;
        call.reason = why;
    } else if (count(call, party_state::missed) > 0) {
        call.state = call_state::missed;
    } else if (count(call, party_state::declined) > 0) {
        call.state = call_state::rejected;
    } else {
        call.state = call_state::busy;
    }
    for (auto& p : call.parties) {
        if (p.state == party_state::joined) {
            leave(p, party_state::left);
        }
    }
    out.push_back({call_news::ended, 0, call.reason, std::nullopt});
}

}  // namespace

call_events open(call_record& call) {
    if (call.parties.size() < 2 || call.parties.size() > max_call_parties) {
        throw error::validation("to", "Call one to " + std::to_string(max_call_parties - 1) +
                                          " other members of your family.");
    }
    call.state = call_state::ringing;
    call_events out;
    settle(call, end_reason::hang_up, out);
    return out;
}

call_events accept(call_record& call, std::int64_t user_id, const device& from) {
    auto& p = party_of(call, user_id);
    require_live(call);
    if (p.state == party_state::joined) {
        throw not_now("already_answered", "This call was answered already.", call);
    }
    if (p.state != party_state::ringing) {
        throw not_now("not_ringing", "You are not being rung for this call.", call);
    }
    p.state = party_state::joined;
    p.in_call = from;
    call.state = call_state::accepted;
    call_events out{{call_news::accepted, user_id, std::nullopt, from}};
    settle(call, end_reason::hang_up, out);
    return out;
}

call_events reject(call_record& call, std::int64_t user_id) {
    auto& p = party_of(call, user_id);
    require_live(call);
    if (p.state != party_state::ringing) {
        throw not_now("not_ringing", "You are not being rung for this call.", call);
    }
    leave(p, party_state::declined);
    call_events out{{call_news::declined, user_id, std::nullopt, std::nullopt}};
    settle(call, end_reason::hang_up, out);
    return out;
}

call_events cancel(call_record& call, std::int64_t user_id) {
    (void)party_of(call, user_id);
    require_live(call);
    if (user_id != call.caller_id) {
        throw not_now("not_the_caller", "Only the caller can cancel a call.", call);
    }
    if (call.state != call_state::ringing) {
        throw not_now("already_answered", "This call was answered already; end it instead.", call);
    }
    for (auto& p : call.parties) {
        leave(p, p.state == party_state::ringing ? party_state::cancelled : party_state::left);
    }
    call.state = call_state::cancelled;
    call.ringing_deadline = false;
    return {{call_news::ended, 0, std::nullopt, std::nullopt}};
}

call_events hang_up(call_record& call, std::int64_t user_id, end_reason why) {
    auto& p = party_of(call, user_id);
    require_live(call);
    if (user_id == call.caller_id && call.state == call_state::ringing) {
        return cancel(call, user_id);
    }
    if (p.state == party_state::ringing) {
        return reject(call, user_id);
    }
    if (p.state != party_state::joined) {
        throw not_now("not_in_call", "You are not in this call.", call);
    }
    leave(p, party_state::left);
    call_events out;
    settle(call, why, out);
    if (out.empty()) {
        out.push_back({call_news::left, user_id, why, std::nullopt});
    }
    return out;
}

call_events time_out(call_record& call) {
    call_events out;
    if (is_final(call.state)) {
        return out;
    }
    for (auto& p : call.parties) {
        if (p.state == party_state::ringing) {
            leave(p, party_state::missed);
            out.push_back({call_news::missed, p.user_id, std::nullopt, std::nullopt});
        }
    }
    settle(call, end_reason::hang_up, out);
    return out;
}

call_events lose(call_record& call, std::int64_t user_id, const device& lost) {
    auto* p = call.party(user_id);
    if (p == nullptr || is_final(call.state) || p->state != party_state::joined ||
        p->in_call != lost) {
        return {};  // back on another connection, or gone already
    }
    leave(*p, party_state::left);
    call_events out;
    settle(call, end_reason::connection_lost, out);
    if (out.empty()) {
        out.push_back({call_news::left, user_id, end_reason::connection_lost, std::nullopt});
    }
    return out;
}

call_events rejoin(call_record& call, std::int64_t user_id, const device& from) {
    auto& p = party_of(call, user_id);
    require_live(call);
    if (p.state != party_state::joined) {
        throw not_now("not_in_call", "You are not in this call.", call);
    }
    p.in_call = from;
    p.lost = false;
    return {{call_news::rejoined, user_id, std::nullopt, from}};
}

}  // namespace poki::calls::call_machine
