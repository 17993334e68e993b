#include "poki/missions/mission_assignments.hpp"

#include "poki/missions/mission_repository.hpp"

namespace poki::missions {

void declare_assignment_statements(db::pool& database) {
    mission_repository::declare_statements(database);
}

mission assign(pqxx::transaction_base& tx, std::int64_t family_id, std::int64_t created_by,
               const new_mission& m) {
    return mission_repository::insert(tx, family_id, created_by, m);
}

}  // namespace poki::missions
