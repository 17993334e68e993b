// SQL for a family and its members. Every statement is scoped by the family id.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <pqxx/pqxx>

#include "poki/core/principal.hpp"
#include "poki/db/pool.hpp"

namespace poki::family {

struct member {
    std::int64_t id = 0;
    poki::role role = role::child;
    std::string display_name;
    std::string avatar_color;
};

struct family_view {
    std::int64_t id = 0;
    std::string name;
    std::vector<member> members;
};

class family_repository {
  public:
    static void declare_statements(db::pool& database);

    static std::optional<family_view> load(pqxx::transaction_base& tx, std::int64_t family_id);
    static void rename_family(pqxx::transaction_base& tx, std::int64_t family_id,
                              const std::string& name);
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
