#include "poki/family/family_service.hpp"

#include "poki/core/error.hpp"
#include "poki/core/log.hpp"
#include "poki/family/family_events.hpp"

namespace poki::family {
namespace {

error no_such_member() {
    return error{errc::not_found, "No such member in your family."};
}

}  // namespace

family_service::family_service(db::pool& database, link_codes& codes, auth::revocations& revoked,
                               notify::event_service& events)
    : database_{database}, codes_{codes}, revoked_{revoked}, events_{events} {
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

awaitable<family_view> family_service::rename(principal who, std::string name) {
    require_parent(who);
    auto update = [who, name = std::move(name)](pqxx::connection& c) {
        pqxx::work tx{c};
        family_repository::rename_family(tx, who.family_id, name);
        auto family = family_repository::load(tx, who.family_id);
        tx.commit();
        return family;
    };
    auto family = co_await database_.run(std::move(update));
    if (!family) {
        throw error{errc::not_found, "Your family no longer exists."};
    }
    co_return std::move(*family);
}

awaitable<member> family_service::rename_member(principal who, std::int64_t member_id,
                                                std::string name) {
    enum class verdict { ok, missing, forbidden };
    struct outcome {
        verdict v = verdict::missing;
        member m;
    };
    auto update = [who, member_id, name = std::move(name)](pqxx::connection& c) {
        pqxx::work tx{c};
        outcome out;
        const auto target = family_repository::find_member(tx, who.family_id, member_id);
        if (!target) {
            return out;
        }
        const bool self = member_id == who.user_id;
        const bool parent_of_child = who.role == role::parent && target->role == role::child;
        if (!self && !parent_of_child) {
            out.v = verdict::forbidden;
            return out;
        }
        family_repository::rename_member(tx, who.family_id, member_id, name);
        out.m = *family_repository::find_member(tx, who.family_id, member_id);
        tx.commit();
        out.v = verdict::ok;
        return out;
    };
    auto out = co_await database_.run(std::move(update));
    if (out.v == verdict::missing) {
        throw no_such_member();
    }
    if (out.v == verdict::forbidden) {
        throw error{errc::forbidden, "You may rename yourself; parents may also rename children."};
    }
    co_return std::move(out.m);
}

awaitable<void> family_service::remove_member(principal who, std::int64_t member_id) {
    require_parent(who);
    if (member_id == who.user_id) {
        throw error{errc::conflict, "You cannot remove yourself from your family."};
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
    revoked_.note_removal(member_id);
    log::info("member removed", {{"family_id", who.family_id}, {"member_id", member_id}});
}

awaitable<link_code> family_service::create_link_code(principal who, poki::role admits) {
    require_parent(who);
    co_return co_await codes_.create(who, admits);
}

}  // namespace poki::family
