// SQL for missions. State changes lock the mission row first (lock), so two parents
// deciding at once see each other's decision.
#pragma once

#include <optional>
#include <span>
#include <vector>

#include <pqxx/pqxx>

#include "poki/db/pool.hpp"
#include "poki/db/read_pipeline.hpp"
#include "poki/missions/mission_types.hpp"

namespace poki::missions {

class mission_repository {
  public:
    static void declare_statements(db::pool& database);

    static mission insert(pqxx::transaction_base& tx, std::int64_t family_id,
                          std::int64_t created_by, const new_mission& m);
    /// One statement for all of them; the missions in `batch`'s order.
    static std::vector<mission> insert_all(pqxx::transaction_base& tx,
                                           std::span<const assignment> batch);
    static awaitable<std::optional<mission>> find(db::read_pipeline& reads, std::int64_t id);
    static std::optional<mission> lock(pqxx::transaction_base& tx, std::int64_t id);
    /// A page of the family's missions; nullopt when the filter names a child who is not one
    /// of the family's.
    static awaitable<std::optional<mission_page>> list(db::read_pipeline& reads,
                                                       std::int64_t family_id,
                                                       const mission_filter& filter);

    static mission edit(pqxx::transaction_base& tx, const mission& changed);
    static mission submit(pqxx::transaction_base& tx, std::int64_t id,
                          const std::optional<std::string>& note);
    static mission decide(pqxx::transaction_base& tx, std::int64_t id, mission_status decision,
                          const std::optional<std::string>& reason, std::int64_t parent_id);
    static void remove(pqxx::transaction_base& tx, std::int64_t id);
    /// Expires this mission if it is still assigned and overdue.
    static std::optional<mission> expire(pqxx::transaction_base& tx, std::int64_t id);
    /// Up to `batch` overdue assigned missions, expired; rows another transaction holds are
    /// left for the next pass.
    static std::vector<mission> expire_due(pqxx::transaction_base& tx, int batch);
};

}  // namespace poki::missions
