// The one way another feature makes missions (reservations' occurrences coming due): inside
// the caller's write, a batch of them in one statement. The caller records the events it
// wants told.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include <pqxx/pqxx>

#include "poki/db/pool.hpp"
#include "poki/missions/mission_types.hpp"

namespace poki::missions {

/// The statements assign() runs, for a service that makes missions without owning them.
void declare_assignment_statements(db::pool& database);

/// Blocking, on the pool thread: the missions, in one statement and in `batch`'s order.
/// Each child must be its family's (the caller checked).
[[nodiscard]] std::vector<mission> assign_all(pqxx::transaction_base& tx,
                                              std::span<const assignment> batch);

}  // namespace poki::missions
