#include "poki/family/family_service.hpp"

#include "poki/core/error.hpp"
#include "poki/core/log.hpp"
#include "poki/family/family_events.hpp"
#include "poki/family/family_repository.hpp"

namespace poki::family {
namespace {

error no_such_member() {
    return error{errc::not_found, "No such member in your family."};
}

}  // namespace

constexpr std::chrono::minutes link_code_lifetime{10};

family_service::family_service(db::pool& database, cache::redis_client& redis,
                               auth::auth_service& auth, notify::event_service& events)
    : database_{database}
    , auth_{auth}
    , events_{events}
    , codes_{redis, link_code_lifetime}
    , limiter_{redis} {
    family_repository::declare_statements(database_);
}

awaitable<family_view> family_service::get(principal who) {
    auto load = [who](pqxx::connection& c) {
        pqxx::nontransaction tx{c};
        return family_repository::load(tx, who.family_id);
    };
    auto family = co_await database_.run(std::move(load));
    if (!family) {
        throw error{errc::not_found, "Your family no longer exists."};
    }
    co_return std::move(*family);
}

awaitable<family_view> family_service::update(principal who, family_patch patch) {
    require_parent(who);
    auto update = [this, who, patch = std::move(patch)](pqxx::work& tx, notify::event_log&) {
        if (patch.name) {
            family_repository::rename_family(tx, who.family_id, *patch.name);
        }
        if (patch.time_zone &&
            family_repository::set_time_zone(tx, who.family_id, *patch.time_zone)) {
            for (const auto& listener : zone_listeners_) {
                listener(tx, who.family_id);
            }
        }
        auto family = family_repository::load(tx, who.family_id);
        if (!family) {
            throw error{errc::not_found, "Your family no longer exists."};
        }
        return std::move(*family);
    };
    co_return co_await events_.write(std::move(update));
}

awaitable<member> family_service::rename_member(principal who, std::int64_t member_id,
                                                std::string name) {
    auto update = [who, member_id, name = std::move(name)](pqxx::work& tx, notify::event_log&) {
        const auto target = family_repository::find_member(tx, who.family_id, member_id);
        if (!target) {
            throw no_such_member();
        }
        const bool self = member_id == who.user_id;
        const bool parent_of_child = who.role == role::parent && target->role == role::child;
        if (!self && !parent_of_child) {
            throw error{errc::forbidden,
                        "You may rename yourself; parents may also rename children."};
        }
        family_repository::rename_member(tx, who.family_id, member_id, name);
        return *family_repository::find_member(tx, who.family_id, member_id);
    };
    co_return co_await events_.write(std::move(update));
}

awaitable<void> family_service::remove_member(principal who, std::int64_t member_id) {
    require_parent(who);
    if (member_id == who.user_id) {
        throw error{errc::conflict, "cannot_remove_self",
                    "You cannot remove yourself from your family."};
    }
    auto remove = [who, member_id](pqxx::work& tx, notify::event_log& log) {
        const auto removed = family_repository::find_member(tx, who.family_id, member_id);
        if (!removed) {
            throw no_such_member();
        }
        family_repository::remove_member(tx, who.family_id, removed->id);
        log.record(member_removed_events(tx, who.family_id, *removed));
    };
    co_await events_.write(std::move(remove));
    // Other instances read the removal from PostgreSQL within auth.revocation_poll_ms.
    auth_.revoked().note_removal(member_id);
    log::info("member removed", {{"family_id", who.family_id}, {"member_id", member_id}});
}

awaitable<link_code> family_service::create_link_code(principal who, poki::role admits) {
    require_parent(who);
    co_return co_await codes_.create(who, admits);
}

awaitable<auth::session_tokens> family_service::join(join_request request,
                                                     std::string client_address) {
    constexpr int max_wrong_codes = 5;
    constexpr std::chrono::seconds lockout{15 * 60};
    const auto wrong_key = auth::rate_limiter::key("join", client_address);
    // Counted before the code is checked, so the limit holds for guesses sent in parallel; a
    // right code gives its attempt back.
    co_await limiter_.hit(wrong_key, max_wrong_codes, lockout);
    auto code = co_await codes_.redeem(link_codes::normalize(request.code));
    if (!code) {
        throw error::validation("code", "code_invalid",
                                "This code is wrong, already used or expired.");
    }
    co_await limiter_.give_back(wrong_key);
    std::exception_ptr failure;
    auth::session_tokens joined;
    try {
        joined = co_await enroll(std::move(request), *code);
    } catch (...) {
        failure = std::current_exception();
    }
    if (failure) {
        co_await codes_.restore(*code);  // nothing was written: the code stays usable
        std::rethrow_exception(failure);
    }
    log::info("member joined", {{"user_id", joined.user.id}, {"family_id", joined.user.family_id}});
    co_return joined;
}

awaitable<auth::session_tokens> family_service::enroll(join_request request,
                                                       const link_code& code) {
    if (code.admits == role::parent && !request.email) {
        throw error::validation("email", "parent_needs_email",
                                "A parent joins with an email address.");
    }
    auth::new_user account;
    account.family_id = code.family_id;
    account.role = code.admits;
    if (code.admits == role::parent) {
        account.email = std::move(request.email);  // children sign in with their login name
    }
    account.login = std::move(request.login);
    account.display_name = std::move(request.display_name);
    // Hashed before a connection is taken: the slow part holds none.
    account.password_hash = co_await auth_.hash_password(std::move(request.password));
    auto create = [this, account = std::move(account)](pqxx::work& tx, notify::event_log& log) {
        auto tokens = auth_.enroll(tx, account);
        const auto& u = tokens.user;
        log.record(member_joined_events(tx, u.family_id,
                                        member{u.id, u.role, u.display_name, u.avatar_color}));
        return tokens;
    };
    co_return co_await events_.write(std::move(create));
}

}  // namespace poki::family
