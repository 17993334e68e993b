#include "poki/missions/mission_assignments.hpp"

#include "poki/missions/mission_repository.hpp"

namespace poki::missions {

void declare_assignment_statements(db::pool& database) {
    mission_repository::declare_statements(database);
}

std::vector<mission> assign_all(pqxx::transaction_base& tx, std::span<const assignment> batch) {
    return mission_repository::insert_all(tx, batch);
}

}  // namespace poki::missions
