// The live side of calls, in Redis, shared by every instance: which device of each party is
// in the call, and the signals held for a party who has not answered yet. Signals are relayed
// by one Redis script that checks the sender is the call's device of a party, and either
// publishes to the receiver's device or holds the signal (bounded) until they answer; the
// script that records an answer publishes what was held, in order, before anything newer.
// PostgreSQL decides the call's state; each change is copied here with its version, and an
// older copy arriving late is ignored.
#pragma once

#include <cstdint>
#include <string>

#include "poki/cache/redis_client.hpp"
#include "poki/cache/redis_script.hpp"
#include "poki/calls/call_types.hpp"
#include "poki/core/net.hpp"

namespace poki::calls {

enum class relay_result { sent, held, held_full, not_in_call, not_a_party };

class call_relay {
  public:
    call_relay(cache::redis_client& redis, int max_held);

    /// Copies the call's parties and devices (or, once it is over, forgets them).
    awaitable<void> sync(const call_record& call);

    /// Relays `message` (JSON text) from `from_user` on `from_connection` to `to_user`.
    awaitable<relay_result> relay(const std::string& call_id, std::int64_t from_user,
                                  const std::string& from_connection, std::int64_t to_user,
                                  std::string message);

  private:
    cache::redis_client& redis_;
    int max_held_;
    cache::redis_script sync_;
    cache::redis_script relay_;
};

}  // namespace poki::calls
