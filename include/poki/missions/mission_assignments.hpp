// The one way another feature makes a mission (a reservation's occurrence coming due):
// inside the caller's write, the same insert a parent's POST /missions runs. The caller
// records the events it wants told.
#pragma once

#include <cstdint>

#include <pqxx/pqxx>

#include "poki/db/pool.hpp"
#include "poki/missions/mission_types.hpp"

namespace poki::missions {

/// The statements assign() runs, for a service that makes missions without owning them.
void declare_assignment_statements(db::pool& database);

/// Blocking, on the pool thread. The child must be the family's (the caller checked).
[[nodiscard]] mission assign(pqxx::transaction_base& tx, std::int64_t family_id,
                             std::int64_t created_by, const new_mission& m);

}  // namespace poki::missions
