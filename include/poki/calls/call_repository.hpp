// SQL for calls. Blocking: called inside pool jobs.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <pqxx/pqxx>

#include "poki/calls/call_types.hpp"
#include "poki/db/pool.hpp"

namespace poki::calls {

/// A member's place in a call that is still going on.
struct active_party {
    std::string call_id;
    std::int64_t user_id = 0;
    party_state state = party_state::ringing;
    std::int64_t caller_id = 0;
    std::size_t parties = 0;
};

/// A joined party whose connection dropped.
struct lost_party {
    std::string call_id;
    std::int64_t user_id = 0;
    device lost;
};

class call_repository {
  public:
    static void declare_statements(db::pool& database);

    /// Invitations in one family are taken one at a time (busy and glare are decided under
    /// this lock). Does not block writes that merely refer to the family.
    static void lock_family(pqxx::transaction_base& tx, std::int64_t family_id);
    /// Those of `ids` who are active members of the family.
    static std::vector<std::int64_t> members_among(pqxx::transaction_base& tx,
                                                   std::int64_t family_id,
                                                   std::span<const std::int64_t> ids);
    /// Where each of `users` is rung or talking now.
    static std::vector<active_party> active_calls_of(pqxx::transaction_base& tx,
                                                     std::span<const std::int64_t> users);

    /// Stores a new call and its parties; fills in id, seq and created_at.
    static void insert(pqxx::transaction_base& tx, call_record& call, int ring_timeout_s);
    /// The call, locked until the transaction ends; nullopt if there is none.
    static std::optional<call_record> lock(pqxx::transaction_base& tx, const std::string& call_id);
    /// Writes the call's state and parties back; raises and returns the version.
    static std::int64_t save(pqxx::transaction_base& tx, call_record& call);

    /// The connection dropped: its joined parties wait for it to come back.
    static void mark_lost(pqxx::transaction_base& tx, const std::string& connection_id);
    /// Joined parties on instances not among `live` are lost.
    static void mark_lost_unless_on(pqxx::transaction_base& tx, std::span<const std::string> live);
    /// Calls whose ring deadline passed.
    static std::vector<std::string> rings_due(pqxx::transaction_base& tx);
    /// Parties lost for longer than the grace.
    static std::vector<lost_party> lost_for(pqxx::transaction_base& tx, int grace_s);

    /// What the family calls the member (for a missed call's notification).
    static std::string display_name(pqxx::transaction_base& tx, std::int64_t user_id);
    /// The family's chat room, where a missed call is noted.
    static std::optional<std::int64_t> family_room(pqxx::transaction_base& tx,
                                                   std::int64_t family_id);

    /// The family's calls, newest first, before `before_seq`.
    static std::vector<call_record> page(pqxx::transaction_base& tx, std::int64_t family_id,
                                         std::optional<std::int64_t> before_seq, int rows);
};

}  // namespace poki::calls
