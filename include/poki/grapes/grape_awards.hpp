// The one way a parent's award or correction and an approved mission's reward reach a
// child's board: inside the caller's write, the open board is locked, the ledger entry
// appended and the family told (grapes.changed).
#pragma once

#include <cstdint>

#include <pqxx/pqxx>

#include "poki/db/pool.hpp"
#include "poki/grapes/grape_types.hpp"
#include "poki/notify/event_service.hpp"

namespace poki::grapes {

/// The statements award() runs, for a service that awards without owning boards.
void declare_award_statements(db::pool& database);

struct awarded {
    ledger_entry entry;
    board after;
};

/// Blocking, on the pool thread. Throws errc::conflict when the balance would go below zero;
/// an entry for a mission that was paid already cannot commit (the ledger's unique mission).
[[nodiscard]] awarded award(pqxx::work& tx, notify::event_log& log, std::int64_t child_id,
                            const ledger_change& change);

}  // namespace poki::grapes
