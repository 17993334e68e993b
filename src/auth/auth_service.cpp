#include "poki/auth/auth_service.hpp"

#include <array>
#include <chrono>

#include "poki/auth/crypto.hpp"
#include "poki/auth/password.hpp"
#include "poki/core/log.hpp"

namespace poki::auth {
namespace {

constexpr std::array avatar_colors{"#F4A261", "#2A9D8F", "#E76F51", "#8AB17D",
                                   "#7B6CF6", "#E9C46A", "#5DA9E9", "#F28482"};

std::int64_t now_seconds() {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

std::string pick_avatar_color() {
    const auto byte = static_cast<unsigned char>(random_bytes(1)[0]);
    return avatar_colors.at(byte % avatar_colors.size());
}

error bad_credentials() {
    return error{errc::unauthorized, "The email, login or password is not right."};
}

error bad_refresh() {
    return error{errc::unauthorized, "The refresh token is invalid, expired or already used."};
}

/// Redis keys carry a hash of the account name, never the name itself.
std::string limiter_key(std::string_view kind, std::string_view value) {
    return "poki:rl:login:" + std::string{kind} + ":" +
           base64url_encode(sha256(value)).substr(0, 22);
}

std::string lower_ascii(std::string text) {
    for (auto& c : text) {
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return text;
}

}  // namespace

auth_service::auth_service(db::pool& database, cache::redis_client& redis, const auth_config& cfg)
    : database_{database}
    , limiter_{redis}
    , config_{cfg}
    , jwt_{cfg}
    , decoy_hash_{hash_password("decoy password, never matches", cfg.scrypt_log2_n)} {
    auth_repository::declare_statements(database_);
    if (jwt_.uses_ephemeral_key()) {
        log::warn("auth.jwt_secret is not set: using a random key; tokens end with this process");
    }
}

session_tokens auth_service::issue(pqxx::transaction_base& tx, const user_record& user,
                                   const std::string& chain) const {
    session_tokens out;
    const auto now = now_seconds();
    out.access_token = jwt_.sign(access_claims{principal{user.id, user.family_id, user.role}, now,
                                               now + config_.access_ttl_s});
    out.refresh_token = base64url_encode(random_bytes(32));
    auth_repository::insert_refresh(tx, user.id, chain, sha256(out.refresh_token),
                                    std::chrono::seconds{config_.refresh_ttl_s});
    out.expires_in = config_.access_ttl_s;
    out.user = user;
    out.user.password_hash.clear();
    return out;
}

awaitable<session_tokens> auth_service::signup(signup_request request) {
    auto create =
        [this, request = std::move(request)](pqxx::connection& c) -> std::optional<session_tokens> {
        // Hashing is the slow part; it runs here, on the pool, never on an io thread.
        const auto hash = hash_password(request.password, config_.scrypt_log2_n);
        pqxx::work tx{c};
        new_user user;
        user.family_id = auth_repository::create_family(
            tx, request.family_name.value_or(request.display_name + "'s family"));
        user.role = role::parent;
        user.email = request.email;
        user.display_name = request.display_name;
        user.avatar_color = pick_avatar_color();
        user.password_hash = hash;
        try {
            (void)auth_repository::create_user(tx, user);
        } catch (const pqxx::unique_violation&) {
            return std::nullopt;
        }
        const auto created = auth_repository::find_by_email(tx, request.email);
        auto tokens = issue(tx, *created, "");
        tx.commit();
        return tokens;
    };
    auto tokens = co_await database_.run(std::move(create));
    if (!tokens) {
        throw error{errc::conflict, "An account with this email already exists."};
    }
    log::info("account created",
              {{"user_id", tokens->user.id}, {"family_id", tokens->user.family_id}});
    co_return std::move(*tokens);
}

awaitable<session_tokens> auth_service::login(login_request request, std::string client_address) {
    const std::string account = request.email ? "email:" + lower_ascii(*request.email)
                                              : "login:" + lower_ascii(request.login.value_or(""));
    co_await limiter_.hit(limiter_key("address", client_address),
                          config_.login_attempts_per_address,
                          std::chrono::seconds{config_.login_window_s});
    co_await limiter_.hit(limiter_key("account", account), config_.login_attempts_per_account,
                          std::chrono::seconds{config_.login_window_s});

    auto check =
        [this, request = std::move(request)](pqxx::connection& c) -> std::optional<session_tokens> {
        pqxx::work tx{c};
        const auto user = request.email
                              ? auth_repository::find_by_email(tx, *request.email)
                              : auth_repository::find_by_login(tx, request.login.value_or(""));
        const bool ok = verify_password(request.password, user ? user->password_hash : decoy_hash_);
        if (!user || !ok) {
            return std::nullopt;
        }
        auto tokens = issue(tx, *user, "");
        tx.commit();
        return tokens;
    };
    auto tokens = co_await database_.run(std::move(check));
    if (!tokens) {
        throw bad_credentials();
    }
    co_return std::move(*tokens);
}

awaitable<session_tokens> auth_service::refresh(std::string refresh_token) {
    enum class outcome { ok, unknown, reused };
    struct rotation {
        outcome result = outcome::unknown;
        std::optional<session_tokens> tokens;
    };
    auto rotate = [this, hash = sha256(refresh_token)](pqxx::connection& c) {
        pqxx::work tx{c};
        rotation r;
        const auto stored = auth_repository::lock_refresh(tx, hash);
        if (!stored || stored->revoked || stored->expired) {
            return r;
        }
        if (stored->rotated) {
            // Someone presents a token that was already exchanged: the chain is compromised.
            auth_repository::revoke_chain(tx, stored->chain);
            tx.commit();
            r.result = outcome::reused;
            return r;
        }
        const auto user = auth_repository::find_by_id(tx, stored->user_id);
        if (!user) {
            return r;
        }
        auth_repository::mark_rotated(tx, stored->id);
        r.tokens = issue(tx, *user, stored->chain);
        tx.commit();
        r.result = outcome::ok;
        return r;
    };
    auto r = co_await database_.run(std::move(rotate));
    if (r.result == outcome::reused) {
        log::warn("refresh token reused; chain revoked", {});
    }
    if (r.result != outcome::ok) {
        throw bad_refresh();
    }
    co_return std::move(*r.tokens);
}

awaitable<void> auth_service::logout(principal who, std::string refresh_token) {
    auto revoke = [who, hash = sha256(refresh_token)](pqxx::connection& c) {
        pqxx::work tx{c};
        const auto stored = auth_repository::lock_refresh(tx, hash);
        if (stored && stored->user_id == who.user_id) {
            auth_repository::revoke_chain(tx, stored->chain);
        }
        tx.commit();
    };
    co_await database_.run(std::move(revoke));
}

awaitable<user_record> auth_service::me(principal who) {
    auto find = [who](pqxx::connection& c) {
        pqxx::nontransaction tx{c};
        return auth_repository::find_by_id(tx, who.user_id);
    };
    auto user = co_await database_.run(std::move(find));
    if (!user || user->family_id != who.family_id) {
        throw error{errc::unauthorized, "This account no longer exists."};
    }
    user->password_hash.clear();
    co_return std::move(*user);
}

result<principal> auth_service::authenticate(std::string_view access_token) const {
    auto claims = jwt_.verify(access_token, now_seconds());
    if (!claims) {
        return claims.error();
    }
    return claims->who;
}

}  // namespace poki::auth
