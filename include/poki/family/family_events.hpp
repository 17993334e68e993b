// The events a family's changes produce: who hears of a member joining or leaving.
#pragma once

#include <vector>

#include <pqxx/pqxx>

#include "poki/family/family_types.hpp"
#include "poki/notify/event.hpp"

namespace poki::family {

/// `family.member_joined` for every other member.
[[nodiscard]] std::vector<notify::event_draft> member_joined_events(pqxx::transaction_base& tx,
                                                                    std::int64_t family_id,
                                                                    const member& joined);

/// `family.member_removed` for every member who stays.
[[nodiscard]] std::vector<notify::event_draft> member_removed_events(pqxx::transaction_base& tx,
                                                                     std::int64_t family_id,
                                                                     const member& removed);

}  // namespace poki::family
