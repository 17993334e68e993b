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

namespace {

template <class Rows>
std::vector<due_mission> missions_of(const Rows& rows, std::size_t count) {
    std::vector<due_mission> out;
    out.reserve(count);
    for (std::size_t i = 0; i < count; ++i) {
        const auto r = rows[static_cast<int>(i)];
        out.push_back(
            {r[0].template as<std::int64_t>(), r[1].template as<std::int64_t>(),
             r[2].template as<std::string>(), r[3].template as<std::string>(),
             r[4].template as<int>(),
             std::chrono::sys_seconds{std::chrono::seconds{r[5].template as<std::int64_t>()}},
             std::chrono::sys_seconds{std::chrono::seconds{r[6].template as<std::int64_t>()}}});
    }
    return out;
}

}  // namespace

awaitable<std::vector<due_mission>> due_between(db::read_pipeline& reads, std::int64_t family_id,
                                                std::optional<std::int64_t> child_id,
                                                std::chrono::sys_seconds from,
                                                std::chrono::sys_seconds to, int limit) {
    const auto rows = co_await reads.query(
        "missions.due_between", db::params(family_id, child_id, from.time_since_epoch().count(),
                                           to.time_since_epoch().count(), limit));
    co_return missions_of(rows, static_cast<std::size_t>(rows.rows()));
}

std::vector<due_mission> due_between(pqxx::transaction_base& tx, std::int64_t family_id,
                                     std::optional<std::int64_t> child_id,
                                     std::chrono::sys_seconds from, std::chrono::sys_seconds to,
                                     int limit) {
    const auto rows =
        tx.exec_prepared("missions.due_between", family_id, child_id,
                         from.time_since_epoch().count(), to.time_since_epoch().count(), limit);
    return missions_of(rows, rows.size());
}

}  // namespace poki::missions
