// SQL for accounts, families and refresh tokens. Blocking: called inside pool jobs.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include <pqxx/pqxx>

#include "poki/auth/auth_types.hpp"
#include "poki/db/pool.hpp"

namespace poki::auth {

struct refresh_record {
    std::int64_t id = 0;
    std::int64_t user_id = 0;
    std::string chain;
    bool rotated = false;
    bool revoked = false;
    bool expired = false;
};

class auth_repository {
  public:
    static void declare_statements(db::pool& database);

    /// Active members only (removed members cannot sign in).
    static std::optional<user_record> find_by_email(pqxx::transaction_base& tx,
                                                    const std::string& email);
    static std::optional<user_record> find_by_login(pqxx::transaction_base& tx,
                                                    const std::string& login);
    static std::optional<user_record> find_by_id(pqxx::transaction_base& tx, std::int64_t id);

    static std::int64_t create_family(pqxx::transaction_base& tx, const std::string& name);
    /// Throws pqxx::unique_violation when the email or login is taken.
    static std::int64_t create_user(pqxx::transaction_base& tx, const new_user& user);

    /// Stores a refresh token (hashed); a new chain when `chain` is empty.
    static void insert_refresh(pqxx::transaction_base& tx, std::int64_t user_id,
                               const std::string& chain, const std::string& token_hash,
                               std::chrono::seconds lifetime);
    /// Locks the token's row until the transaction ends.
    static std::optional<refresh_record> lock_refresh(pqxx::transaction_base& tx,
                                                      const std::string& token_hash);
    static void mark_rotated(pqxx::transaction_base& tx, std::int64_t id);
    static void revoke_chain(pqxx::transaction_base& tx, const std::string& chain);
    /// Raises the user's session generation and revokes every refresh token; the new
    /// generation, or nothing for a removed member.
    static std::optional<std::int64_t> end_sessions(pqxx::transaction_base& tx,
                                                    std::int64_t user_id);
};

}  // namespace poki::auth
