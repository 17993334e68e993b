#include "poki/missions/mission_calendar.hpp"

namespace poki::missions {

void declare_calendar_statements(db::pool& database) {
    database.declare(
        "missions.due_between",
        "SELECT id, child_id, title, status, reward, extract(epoch FROM due_at)::bigint,"
        " extract(epoch FROM updated_at)::bigint FROM missions"
        " WHERE family_id = $1 AND ($2::bigint IS NULL OR child_id = $2) AND deleted_at IS NULL"
        " AND due_at >= to_timestamp($3) AND due_at < to_timestamp($4)"
        " ORDER BY due_at, id LIMIT $5");
}

std::vector<due_mission> due_between(pqxx::transaction_base& tx, std::int64_t family_id,
                                     std::optional<std::int64_t> child_id,
                                     std::chrono::sys_seconds from, std::chrono::sys_seconds to,
                                     int limit) {
    std::vector<due_mission> out;
    const auto rows =
        tx.exec_prepared("missions.due_between", family_id, child_id,
                         from.time_since_epoch().count(), to.time_since_epoch().count(), limit);
    out.reserve(rows.size());
    for (const auto& r : rows) {
        out.push_back({r[0].as<std::int64_t>(), r[1].as<std::int64_t>(), r[2].as<std::string>(),
                       r[3].as<std::string>(), r[4].as<int>(),
                       std::chrono::sys_seconds{std::chrono::seconds{r[5].as<std::int64_t>()}},
                       std::chrono::sys_seconds{std::chrono::seconds{r[6].as<std::int64_t>()}}});
    }
    return out;
}

}  // namespace poki::missions
