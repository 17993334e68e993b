#include "poki/auth/auth_service.hpp"

#include <array>
#include <chrono>

#include "poki/auth/auth_repository.hpp"
#include "poki/core/crypto.hpp"
#include "poki/core/log.hpp"
#include "poki/core/metrics.hpp"

namespace poki::auth {

using crypto::base64url_encode;
using crypto::random_bytes;
using crypto::sha256;
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

std::string lower_ascii(std::string text) {
    for (auto& c : text) {
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return text;
}

}  // namespace

auth_service::auth_service(db::pool& database, cache::redis_client& redis, const auth_config& cfg)
    : database_{database}
    , redis_{redis}
    , limiter_{redis}
    , revocations_{database, std::chrono::seconds{cfg.access_ttl_s}}
    , config_{cfg}
    , jwt_{cfg}
    , hasher_{cfg} {
    auth_repository::declare_statements(database_);
    if (jwt_.uses_ephemeral_key()) {
        log::warn("auth.jwt_secret is not set: using a random key; tokens end with this process");
    }
}

session_tokens auth_service::issue(pqxx::transaction_base& tx, const user_record& user,
                                   const std::string& chain) const {
    session_tokens out;
    const auto now = now_seconds();
    out.access_token = jwt_.sign(
        access_claims{principal{user.id, user.family_id, user.role, user.session_generation}, now,
                      now + config_.access_ttl_s});
    out.refresh_token = base64url_encode(random_bytes(32));
    auth_repository::insert_refresh(tx, user.id, chain, sha256(out.refresh_token),
                                    std::chrono::seconds{config_.refresh_ttl_s});
    out.expires_in = config_.access_ttl_s;
    out.refresh_expires_in = config_.refresh_ttl_s;
    out.user = user;
    out.user.password_hash.clear();
    return out;
}

awaitable<session_tokens> auth_service::signup(signup_request request) {
    // Hashed on the hasher's threads before a connection is taken: the slow part holds none.
    auto hash = co_await hasher_.hash(request.password);
    auto create = [this, request = std::move(request),
                   hash = std::move(hash)](pqxx::connection& c) -> std::optional<session_tokens> {
        pqxx::work tx{c};
        new_user user;
        user.family_id = auth_repository::create_family(
            tx, request.family_name.value_or(request.display_name + "'s family"));
        user.role = role::parent;
        user.email = request.email;
        user.display_name = request.display_name;
        user.avatar_color = pick_avatar_color();
        user.password_hash = hash;
        std::int64_t id = 0;
        try {
            id = auth_repository::create_user(tx, user);
        } catch (const pqxx::unique_violation&) {
            return std::nullopt;
        }
        const auto created = auth_repository::find_by_id(tx, id);
        auto tokens = issue(tx, *created, "");
        tx.commit();
        return tokens;
    };
    auto tokens = co_await database_.run(std::move(create));
    if (!tokens) {
        throw error{errc::conflict, "email_taken", "An account with this email already exists."};
    }
    log::info("account created",
              {{"user_id", tokens->user.id}, {"family_id", tokens->user.family_id}});
    co_return std::move(*tokens);
}

awaitable<session_tokens> auth_service::login(login_request request, std::string client_address) {
    const std::string account = request.email ? "email:" + lower_ascii(*request.email)
                                              : "login:" + lower_ascii(request.login.value_or(""));
    co_await limiter_.hit(rate_limiter::key("login:address", client_address),
                          config_.login_attempts_per_address,
                          std::chrono::seconds{config_.login_window_s});
    co_await limiter_.hit(rate_limiter::key("login:account", account),
                          config_.login_attempts_per_account,
                          std::chrono::seconds{config_.login_window_s});

    auto find = [request](pqxx::connection& c) {
        pqxx::nontransaction tx{c};
        return request.email ? auth_repository::find_by_email(tx, *request.email)
                             : auth_repository::find_by_login(tx, request.login.value_or(""));
    };
    const auto user = co_await database_.run(std::move(find));
    // Named, not a conditional inside co_await: g++ 12 frees such a temporary twice.
    std::string stored = user ? user->password_hash : std::string{};
    const bool ok = co_await hasher_.verify(std::move(request.password), std::move(stored));
    if (!user || !ok) {
        throw bad_credentials();
    }
    auto sign_in = [this, account = *user](pqxx::work& tx) {
        if (sign_in_hook_) {
            sign_in_hook_(tx, account.id);
        }
        return issue(tx, account, "");
    };
    co_return co_await database_.transaction(std::move(sign_in));
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
    auto revoke = [who, hash = sha256(refresh_token)](pqxx::work& tx) {
        const auto stored = auth_repository::lock_refresh(tx, hash);
        if (stored && stored->user_id == who.user_id) {
            auth_repository::revoke_chain(tx, stored->chain);
        }
    };
    co_await database_.transaction(std::move(revoke));
}

awaitable<void> auth_service::logout_everywhere(principal who) {
    auto end = [who](pqxx::work& tx) { return auth_repository::end_sessions(tx, who.user_id); };
    const auto generation = co_await database_.transaction(std::move(end));
    if (generation) {
        revocations_.note(who.user_id, *generation, revocation_source::here);
    }
}

awaitable<user_record> auth_service::me(principal who) {
    auto find = [who](pqxx::connection& c) {
        pqxx::nontransaction tx{c};
        return auth_repository::find_by_id(tx, who.user_id);
    };
    auto user = co_await database_.run(std::move(find));
    if (!user || user->family_id != who.family_id) {
        throw error{errc::unauthorized, "account_gone", "This account no longer exists."};
    }
    user->password_hash.clear();
    co_return std::move(*user);
}

principal auth_service::authorize(std::string_view access_token) const {
    const auto who = authenticate(access_token).value();
    switch (revocations_.check(who)) {
        case access::allowed:
            return who;
        case access::removed:
            throw error{errc::unauthorized, "account_removed",
                        "This account no longer has access."};
        case access::signed_out:
            break;
    }
    throw error{errc::unauthorized, "session_ended",
                "This session was signed out everywhere; sign in again."};
}

awaitable<std::string> auth_service::hash_password(std::string password) {
    co_return co_await hasher_.hash(std::move(password));
}

session_tokens auth_service::enroll(pqxx::transaction_base& tx, new_user account) const {
    account.avatar_color = pick_avatar_color();
    std::int64_t id = 0;
    try {
        id = auth_repository::create_user(tx, account);
    } catch (const pqxx::unique_violation&) {
        throw error{errc::conflict, "login_taken", "This login name (or email) is already taken."};
    }
    const auto created = auth_repository::find_by_id(tx, id);
    if (!created) {
        throw error{errc::not_found, "This family no longer exists."};
    }
    return issue(tx, *created, "");
}

awaitable<stream_ticket> auth_service::issue_stream_ticket(principal who) {
    constexpr int lifetime_s = 60;
    stream_ticket t{base64url_encode(random_bytes(24)), lifetime_s};
    const std::string value = std::to_string(who.user_id) + ":" + std::to_string(who.family_id) +
                              ":" + std::to_string(who.session_generation) + ":" +
                              std::string{to_string(who.role)};
    cache::redis_command set{"SET", "poki:ticket:" + base64url_encode(sha256(t.ticket)), value,
                             "EX", std::to_string(lifetime_s)};
    const auto reply = co_await redis_.command(std::move(set));
    if (reply.is_error()) {
        throw error{errc::unavailable, "Tickets are unavailable right now."};
    }
    co_return t;
}

awaitable<std::optional<principal>> auth_service::redeem_stream_ticket(std::string ticket) {
    cache::redis_command getdel{"GETDEL", "poki:ticket:" + base64url_encode(sha256(ticket))};
    const auto reply = co_await redis_.command(std::move(getdel));
    if (reply.is_error()) {
        throw error{errc::unavailable, "Tickets are unavailable right now."};
    }
    if (reply.is_nil()) {
        co_return std::nullopt;
    }
    // Written by issue_stream_ticket: "<user>:<family>:<generation>:<role>".
    const auto first = reply.text.find(':');
    const auto second = reply.text.find(':', first + 1);
    const auto third = reply.text.find(':', second + 1);
    if (third == std::string::npos) {
        co_return std::nullopt;  // a ticket from before generations: issued a minute ago at most
    }
    principal who;
    who.user_id = std::stoll(reply.text.substr(0, first));
    who.family_id = std::stoll(reply.text.substr(first + 1, second - first - 1));
    who.session_generation = std::stoll(reply.text.substr(second + 1, third - second - 1));
    who.role = parse_role(reply.text.substr(third + 1)).value_or(role::child);
    if (revocations_.check(who) != access::allowed) {
        co_return std::nullopt;
    }
    co_return who;
}

result<principal> auth_service::authenticate(std::string_view access_token) const {
    auto claims = jwt_.verify(access_token, now_seconds());
    if (!claims) {
        return claims.error();
    }
    return claims->who;
}

void auth_service::render_metrics(std::string& out) const {
    append_metric_header(out, "poki_password_hashes_waiting", "gauge",
                         "Sign-ins hashing or waiting for a hashing thread.");
    append_metric(out, "poki_password_hashes_waiting", "", static_cast<double>(hasher_.waiting()));
    append_metric_header(out, "poki_password_hashes_refused_total", "counter",
                         "Sign-ins turned away (503) because the hashing queue was full.");
    append_metric(out, "poki_password_hashes_refused_total", "",
                  static_cast<double>(hasher_.refused()));
}

}  // namespace poki::auth
