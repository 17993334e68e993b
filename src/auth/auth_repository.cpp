#include "poki/auth/auth_repository.hpp"

namespace poki::auth {
namespace {

constexpr const char* user_columns =
    "u.id, u.family_id, u.role, u.email, u.login, u.display_name, u.avatar_color, u.password_hash, "
    "f.name, u.session_generation";

std::optional<user_record> to_user(const pqxx::result& rows) {
    if (rows.empty()) {
        return std::nullopt;
    }
    const auto row = rows[0];
    user_record u;
    u.id = row[0].as<std::int64_t>();
    u.family_id = row[1].as<std::int64_t>();
    u.role = parse_role(row[2].as<std::string>()).value_or(role::child);
    if (!row[3].is_null()) {
        u.email = row[3].as<std::string>();
    }
    if (!row[4].is_null()) {
        u.login = row[4].as<std::string>();
    }
    u.display_name = row[5].as<std::string>();
    u.avatar_color = row[6].as<std::string>();
    u.password_hash = row[7].as<std::string>();
    u.family_name = row[8].as<std::string>();
    u.session_generation = row[9].as<std::int64_t>();
    return u;
}

pqxx::binarystring as_bytes(const std::string& raw) {
    return pqxx::binarystring{raw};
}

}  // namespace

void auth_repository::declare_statements(db::pool& database) {
    const std::string select_user = std::string{"SELECT "} + user_columns +
                                    " FROM users u JOIN families f ON f.id = u.family_id"
                                    " WHERE u.removed_at IS NULL AND ";
    database.declare("auth.user_by_email", select_user + "u.email = $1");
    database.declare("auth.user_by_login", select_user + "u.login = $1");
    database.declare("auth.user_by_id", select_user + "u.id = $1");
    // A family is born with its chat room.
    database.declare("auth.create_family",
                     "WITH f AS (INSERT INTO families (name) VALUES ($1) RETURNING id),"
                     " r AS (INSERT INTO chat_rooms (family_id, kind) SELECT id, 'family' FROM f)"
                     " SELECT id FROM f");
    database.declare("auth.create_user",
                     "INSERT INTO users (family_id, role, email, login, display_name, avatar_color,"
                     " password_hash) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id");
    database.declare("auth.insert_refresh",
                     "INSERT INTO refresh_tokens (user_id, chain, token_hash, expires_at)"
                     " VALUES ($1, coalesce(nullif($2, '')::uuid, gen_random_uuid()), $3,"
                     " now() + make_interval(secs => $4))");
    database.declare("auth.lock_refresh",
                     "SELECT id, user_id, chain::text, rotated_at IS NOT NULL,"
                     " revoked_at IS NOT NULL, expires_at <= now()"
                     " FROM refresh_tokens WHERE token_hash = $1 FOR UPDATE");
    database.declare("auth.mark_rotated",
                     "UPDATE refresh_tokens SET rotated_at = now() WHERE id = $1");
    database.declare("auth.end_sessions",
                     "UPDATE users SET session_generation = session_generation + 1,"
                     " sessions_ended_at = now() WHERE id = $1 AND removed_at IS NULL"
                     " RETURNING session_generation");
    database.declare("auth.revoke_all_refresh",
                     "UPDATE refresh_tokens SET revoked_at = now()"
                     " WHERE user_id = $1 AND revoked_at IS NULL");
    database.declare("auth.revoke_chain",
                     "UPDATE refresh_tokens SET revoked_at = now()"
                     " WHERE chain = $1::uuid AND revoked_at IS NULL");
}

std::optional<user_record> auth_repository::find_by_email(pqxx::transaction_base& tx,
                                                          const std::string& email) {
    return to_user(tx.exec_prepared("auth.user_by_email", email));
}

std::optional<user_record> auth_repository::find_by_login(pqxx::transaction_base& tx,
                                                          const std::string& login) {
    return to_user(tx.exec_prepared("auth.user_by_login", login));
}

std::optional<user_record> auth_repository::find_by_id(pqxx::transaction_base& tx,
                                                       std::int64_t id) {
    return to_user(tx.exec_prepared("auth.user_by_id", id));
}

std::int64_t auth_repository::create_family(pqxx::transaction_base& tx, const std::string& name) {
    return tx.exec_prepared1("auth.create_family", name)[0].as<std::int64_t>();
}

std::int64_t auth_repository::create_user(pqxx::transaction_base& tx, const new_user& user) {
    return tx
        .exec_prepared1("auth.create_user", user.family_id, std::string{to_string(user.role)},
                        user.email, user.login, user.display_name, user.avatar_color,
                        user.password_hash)[0]
        .as<std::int64_t>();
}

void auth_repository::insert_refresh(pqxx::transaction_base& tx, std::int64_t user_id,
                                     const std::string& chain, const std::string& token_hash,
                                     std::chrono::seconds lifetime) {
    tx.exec_prepared("auth.insert_refresh", user_id, chain, as_bytes(token_hash),
                     static_cast<double>(lifetime.count()));
}

std::optional<refresh_record> auth_repository::lock_refresh(pqxx::transaction_base& tx,
                                                            const std::string& token_hash) {
    const auto rows = tx.exec_prepared("auth.lock_refresh", as_bytes(token_hash));
    if (rows.empty()) {
        return std::nullopt;
    }
    const auto row = rows[0];
    return refresh_record{row[0].as<std::int64_t>(), row[1].as<std::int64_t>(),
                          row[2].as<std::string>(),  row[3].as<bool>(),
                          row[4].as<bool>(),         row[5].as<bool>()};
}

void auth_repository::mark_rotated(pqxx::transaction_base& tx, std::int64_t id) {
    tx.exec_prepared("auth.mark_rotated", id);
}

std::optional<std::int64_t> auth_repository::end_sessions(pqxx::transaction_base& tx,
                                                          std::int64_t user_id) {
    const auto rows = tx.exec_prepared("auth.end_sessions", user_id);
    if (rows.empty()) {
        return std::nullopt;
    }
    tx.exec_prepared("auth.revoke_all_refresh", user_id);
    return rows[0][0].as<std::int64_t>();
}

void auth_repository::revoke_chain(pqxx::transaction_base& tx, const std::string& chain) {
    tx.exec_prepared("auth.revoke_chain", chain);
}

}  // namespace poki::auth
