// The one way a parent's award or correction and an approved mission's reward reach a
// child's board: inside the caller's write, the open board is locked and the ledger entry
// appended; the caller records the grapes.changed drafts, after any event of its own that
// should come first. The board's lock comes before any event counter's, in every write.
#pragma once

#include <cstdint>
#include <vector>

#include <pqxx/pqxx>

#include "poki/db/pool.hpp"
#include "poki/grapes/grape_types.hpp"
#include "poki/notify/event.hpp"

namespace poki::grapes {

/// The statements award() runs, for a service that awards without owning boards.
void declare_award_statements(db::pool& database);

struct awarded {
    ledger_entry entry;
    board after;
    std::vector<notify::event_draft> told;  ///< grapes.changed, for the caller to record
};

/// Blocking, on the pool thread. Throws errc::conflict when the balance would go below zero;
/// an entry for a mission that was paid already cannot commit (the ledger's unique mission).
[[nodiscard]] awarded award(pqxx::transaction_base& tx, std::int64_t child_id,
                            const ledger_change& change);

}  // namespace poki::grapes
