// The rules of a call, without I/O: each command changes a call_record or throws a
// poki::error naming why it is not allowed now, and says what happened so the service can
// tell the parties. The service loads the record under a row lock, applies one command, saves.
#pragma once

#include <cstdint>
#include <vector>

#include "poki/calls/call_types.hpp"

namespace poki::calls {

/// What the parties hear of a change.
enum class call_news {
    accepted,  ///< `user_id` answered from `device` (their other devices stop ringing)
    declined,  ///< `user_id` said no (the call may go on with others)
    missed,    ///< `user_id` did not answer in time
    left,      ///< `user_id` left a call that goes on
    rejoined,  ///< `user_id` came back on a new connection
    ended,     ///< the call is over (its state and reason say how)
};

struct call_event {
    call_news news = call_news::ended;
    std::int64_t user_id = 0;
    /// Only for `left`: why. Only for `accepted`/`rejoined`: the device.
    std::optional<end_reason> reason;
    std::optional<device> from;
};

using call_events = std::vector<call_event>;

namespace call_machine {

/// A new call as built: the caller joined, each other party ringing or busy. Refuses a call
/// without others or with more than max_call_parties; one where everyone is busy is over.
call_events open(call_record& call);
/// The callee answers from `from`. The first device wins; the call becomes accepted.
call_events accept(call_record& call, std::int64_t user_id, const device& from);
/// The callee says no while being rung.
call_events reject(call_record& call, std::int64_t user_id);
/// The caller gives up before anyone answered.
call_events cancel(call_record& call, std::int64_t user_id);
/// A joined party hangs up (the caller while ringing: cancel). With two left the call ends;
/// in a bigger call the others go on.
call_events hang_up(call_record& call, std::int64_t user_id, end_reason why);
/// The ring deadline passed: whoever is still being rung missed it.
call_events time_out(call_record& call);
/// A joined party's connection dropped and did not come back within the grace period.
/// Nothing when the party has rejoined on another connection since.
call_events lose(call_record& call, std::int64_t user_id, const device& lost);
/// A joined party is back on a new connection.
call_events rejoin(call_record& call, std::int64_t user_id, const device& from);

}  // namespace call_machine
}  // namespace poki::calls
