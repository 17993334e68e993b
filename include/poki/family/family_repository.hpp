// SQL for a family and its members. Every statement is scoped by the family id.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <pqxx/pqxx>

#include "poki/db/pool.hpp"
#include "poki/family/family_types.hpp"

namespace poki::family {

class family_repository {
  public:
    static void declare_statements(db::pool& database);

    static std::optional<family_view> load(pqxx::transaction_base& tx, std::int64_t family_id);
    /// Active members, ascending id.
    static std::vector<member> members(pqxx::transaction_base& tx, std::int64_t family_id);
    /// Each family's active members with role `r`, ids ascending; every family is a key.
    static std::map<std::int64_t, std::vector<std::int64_t>> members_with_role(
        pqxx::transaction_base& tx, std::span<const std::int64_t> family_ids, role r);
    static void rename_family(pqxx::transaction_base& tx, std::int64_t family_id,
                              const std::string& name);
    /// True when the zone changed.
    static bool set_time_zone(pqxx::transaction_base& tx, std::int64_t family_id,
                              const std::string& zone);
    /// An active member of this family, or nullopt (also for another family's member).
    static std::optional<member> find_member(pqxx::transaction_base& tx, std::int64_t family_id,
                                             std::int64_t member_id);
    static void rename_member(pqxx::transaction_base& tx, std::int64_t family_id,
                              std::int64_t member_id, const std::string& name);
    /// Marks the member removed and revokes every refresh token they hold.
    static void remove_member(pqxx::transaction_base& tx, std::int64_t family_id,
                              std::int64_t member_id);
};

}  // namespace poki::family
