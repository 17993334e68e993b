#include "poki/family/family_repository.hpp"

#include "poki/db/sql_text.hpp"

namespace poki::family {

void family_repository::declare_statements(db::pool& database) {
    database.declare("family.load", "SELECT id, name, time_zone FROM families WHERE id = $1");
    database.declare("family.members",
                     "SELECT id, role, display_name, avatar_color FROM users"
                     " WHERE family_id = $1 AND removed_at IS NULL ORDER BY id");
    database.declare("family.members_with_role",
                     "SELECT family_id, id FROM users WHERE family_id = ANY($1::bigint[])"
                     " AND role = $2 AND removed_at IS NULL ORDER BY family_id, id");
    database.declare("family.rename", "UPDATE families SET name = $2 WHERE id = $1");
    database.declare("family.set_time_zone",
                     "UPDATE families SET time_zone = $2 WHERE id = $1 AND time_zone <> $2");
    database.declare("family.member",
                     "SELECT id, role, display_name, avatar_color FROM users"
                     " WHERE family_id = $1 AND id = $2 AND removed_at IS NULL");
    database.declare("family.rename_member",
                     "UPDATE users SET display_name = $3 WHERE family_id = $1 AND id = $2"
                     " AND removed_at IS NULL");
    database.declare("family.remove_member",
                     "UPDATE users SET removed_at = now() WHERE family_id = $1 AND id = $2"
                     " AND removed_at IS NULL");
    database.declare(
        "family.revoke_member_tokens",
        "UPDATE refresh_tokens SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL");
}

namespace {

member to_member(const pqxx::row& row) {
    return member{row[0].as<std::int64_t>(),
                  parse_role(row[1].as<std::string>()).value_or(role::child),
                  row[2].as<std::string>(), row[3].as<std::string>()};
}

}  // namespace

std::optional<family_view> family_repository::load(pqxx::transaction_base& tx,
                                                   std::int64_t family_id) {
    const auto rows = tx.exec_prepared("family.load", family_id);
    if (rows.empty()) {
        return std::nullopt;
    }
    family_view f{rows[0][0].as<std::int64_t>(),
                  rows[0][1].as<std::string>(),
                  rows[0][2].as<std::string>(),
                  {}};
    f.members = members(tx, family_id);
    return f;
}

std::vector<member> family_repository::members(pqxx::transaction_base& tx, std::int64_t family_id) {
    std::vector<member> out;
    for (const auto& row : tx.exec_prepared("family.members", family_id)) {
        out.push_back(to_member(row));
    }
    return out;
}

std::map<std::int64_t, std::vector<std::int64_t>> family_repository::members_with_role(
    pqxx::transaction_base& tx, std::span<const std::int64_t> family_ids, role r) {
    std::map<std::int64_t, std::vector<std::int64_t>> out;
    for (const auto id : family_ids) {
        out[id];  // a family without such members still answers, with none
    }
    const auto rows = tx.exec_prepared("family.members_with_role", db::int_array(family_ids),
                                       std::string{to_string(r)});
    for (const auto& row : rows) {
        out[row[0].as<std::int64_t>()].push_back(row[1].as<std::int64_t>());
    }
    return out;
}

void family_repository::rename_family(pqxx::transaction_base& tx, std::int64_t family_id,
                                      const std::string& name) {
    tx.exec_prepared("family.rename", family_id, name);
}

bool family_repository::set_time_zone(pqxx::transaction_base& tx, std::int64_t family_id,
                                      const std::string& zone) {
    return tx.exec_prepared("family.set_time_zone", family_id, zone).affected_rows() == 1;
}

std::optional<member> family_repository::find_member(pqxx::transaction_base& tx,
                                                     std::int64_t family_id,
                                                     std::int64_t member_id) {
    const auto rows = tx.exec_prepared("family.member", family_id, member_id);
    if (rows.empty()) {
        return std::nullopt;
    }
    return to_member(rows[0]);
}

void family_repository::rename_member(pqxx::transaction_base& tx, std::int64_t family_id,
                                      std::int64_t member_id, const std::string& name) {
    tx.exec_prepared("family.rename_member", family_id, member_id, name);
}

void family_repository::remove_member(pqxx::transaction_base& tx, std::int64_t family_id,
                                      std::int64_t member_id) {
    tx.exec_prepared("family.remove_member", family_id, member_id);
    tx.exec_prepared("family.revoke_member_tokens", member_id);
}

}  // namespace poki::family
