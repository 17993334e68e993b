// Accounts and sessions: parents sign up (creating their family), members log in with an
// email or a login name, access tokens are short JWTs, refresh tokens rotate on every use
// and a replayed one revokes its whole chain. Members who join a family are enrolled here
// by the family module, inside its own transaction.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include <pqxx/pqxx>

#include "poki/auth/auth_types.hpp"
#include "poki/auth/jwt.hpp"
#include "poki/auth/password_hasher.hpp"
#include "poki/auth/rate_limiter.hpp"
#include "poki/auth/revocations.hpp"
#include "poki/cache/redis_client.hpp"
#include "poki/core/config.hpp"
#include "poki/db/pool.hpp"

namespace poki::auth {

struct signup_request {
    std::string email;
    std::string password;
    std::string display_name;
    std::optional<std::string> family_name;
};

struct login_request {
    std::optional<std::string> email;  ///< parents
    std::optional<std::string> login;  ///< children (and parents who chose one)
    std::string password;
};

struct stream_ticket {
    std::string ticket;
    int expires_in = 0;
};

struct session_tokens {
    std::string access_token;
    std::string refresh_token;
    int expires_in = 0;
    int refresh_expires_in = 0;  ///< seconds the refresh token lives
    user_record user;
};

/// Minimum and maximum password length in code points.
inline constexpr std::size_t min_password_chars = 8;
inline constexpr std::size_t max_password_chars = 128;

class auth_service {
  public:
    /// Runs inside every sign-in's transaction (other modules keep what a sign-in proves,
    /// such as devices being alive). Blocking, on the pool thread.
    using sign_in_hook = std::function<void(pqxx::transaction_base&, std::int64_t user_id)>;

    auth_service(db::pool& database, cache::redis_client& redis, const auth_config& cfg);

    /// Checks an access token, that its member was not removed and that they did not log out
    /// everywhere since it was issued. No I/O: revocations are kept in memory (see
    /// revocations). Throws errc::unauthorized.
    [[nodiscard]] principal authorize(std::string_view access_token) const;

    /// A one-time ticket (60 s) for EventSource and WebSocket, which cannot send headers.
    awaitable<stream_ticket> issue_stream_ticket(principal who);
    /// The ticket's owner, once; nullopt for an unknown, used or expired ticket.
    awaitable<std::optional<principal>> redeem_stream_ticket(std::string ticket);

    [[nodiscard]] revocations& revoked() noexcept { return revocations_; }

    /// Set once, before serving.
    void on_sign_in(sign_in_hook hook) { sign_in_hook_ = std::move(hook); }

    /// Hashed on the hashing threads (503 when their queue is full), for a new account.
    awaitable<std::string> hash_password(std::string password);
    /// Creates the account (its password already hashed) inside the caller's transaction and
    /// signs it in. Blocking. Throws errc::conflict when the email or login is taken, which
    /// leaves the transaction to be rolled back.
    [[nodiscard]] session_tokens enroll(pqxx::transaction_base& tx, new_user account) const;

    awaitable<session_tokens> signup(signup_request request);
    /// Rate-limited per account and per client address; a wrong email and a wrong password get
    /// the same answer after the same work.
    awaitable<session_tokens> login(login_request request, std::string client_address);
    awaitable<session_tokens> refresh(std::string refresh_token);
    /// Revokes the refresh token's chain if it is the caller's; unknown tokens are ignored.
    awaitable<void> logout(principal who, std::string refresh_token);
    /// Ends every session of the caller on every device: refresh tokens revoked, access tokens
    /// and stream tickets issued until now refused, open streams and sockets closed (through
    /// the revocation listeners). A sign-in afterwards starts a fresh generation.
    awaitable<void> logout_everywhere(principal who);
    /// The caller's account; errc::unauthorized once the member was removed.
    awaitable<user_record> me(principal who);

    /// Checks an access token (no I/O).
    [[nodiscard]] result<principal> authenticate(std::string_view access_token) const;

    [[nodiscard]] const jwt_codec& tokens() const noexcept { return jwt_; }

    void render_metrics(std::string& out) const;

  private:
    /// Issues a token pair inside the caller's transaction (blocking).
    session_tokens issue(pqxx::transaction_base& tx, const user_record& user,
                         const std::string& chain) const;

    db::pool& database_;
    cache::redis_client& redis_;
    rate_limiter limiter_;
    revocations revocations_;
    sign_in_hook sign_in_hook_;
    const auth_config& config_;
    jwt_codec jwt_;
    password_hasher hasher_;
};

}  // namespace poki::auth
