#include "poki/auth/revocations.hpp"

#include <mutex>

#include "poki/core/periodic.hpp"

namespace poki::auth {
namespace {

constexpr std::chrono::seconds clock_slack{60};
// greatest() skips NULLs: the latest of a removal and an ending of all sessions.
constexpr const char* recent_revocations =
    "SELECT id, (extract(epoch FROM greatest(removed_at, sessions_ended_at)) * 1000)::bigint,"
    " CASE WHEN removed_at IS NULL THEN session_generation END FROM users"
    " WHERE removed_at > now() - make_interval(secs => $1)"
    " OR sessions_ended_at > now() - make_interval(secs => $1)";

}  // namespace

revocations::revocations(db::pool& database, std::chrono::seconds token_lifetime)
    : database_{database}, keep_for_{token_lifetime + clock_slack} {
    declare_statements(database_);
}

void revocations::declare_statements(db::pool& database) {
    database.declare("auth.recent_revocations", recent_revocations);
}

bool revocations::raise(std::int64_t user_id, std::int64_t floor, clock::time_point until) {
    auto [slot, made] = entries_.try_emplace(user_id, entry{floor, until});
    if (made) {
        return true;
    }
    slot->second.until = std::max(slot->second.until, until);
    if (slot->second.floor < floor) {
        slot->second.floor = floor;
        return true;
    }
    return false;
}

void revocations::merge(const pqxx::result& rows) {
    const auto now = clock::now();
    std::vector<change> fresh;
    {
        const std::unique_lock lock{mutex_};
        // Entries are never dropped because a read missed them (it may have started before a
        // local revocation committed); only because their tokens cannot be alive any more.
        std::erase_if(entries_, [now](const auto& e) { return e.second.until < now; });
        for (const auto& row : rows) {
            const auto user = row[0].as<std::int64_t>();
            const auto at = clock::time_point{milliseconds{row[1].as<std::int64_t>()}};
            const auto floor = row[2].is_null() ? removed_floor : row[2].as<std::int64_t>();
            if (raise(user, floor, at + keep_for_)) {
                fresh.push_back({user, floor});
            }
        }
    }
    tell(fresh, revocation_source::elsewhere);
}

void revocations::tell(const std::vector<change>& changes, revocation_source source) const {
    for (const auto& c : changes) {
        for (const auto& fn : listeners_) {
            fn(c.user_id, c.floor, source);
        }
    }
}

void revocations::load(pqxx::connection& connection) {
    pqxx::nontransaction tx{connection};
    merge(tx.exec_params(recent_revocations, keep_for_.count()));
}

awaitable<void> revocations::refresh() {
    auto read = [seconds = keep_for_.count()](pqxx::connection& c) {
        pqxx::nontransaction tx{c};
        return tx.exec_prepared("auth.recent_revocations", seconds);
    };
    merge(co_await database_.run(std::move(read)));
}

awaitable<void> revocations::run(milliseconds period, job_monitor& jobs) {
    // The closure lives in run_periodically's frame for as long as the job can run.
    std::function<awaitable<void>()> job = [this]() -> awaitable<void> { co_await refresh(); };
    co_await run_periodically("revocation refresh", period, std::move(job), jobs);
}

void revocations::note(std::int64_t user_id, std::int64_t generation_floor,
                       revocation_source source) {
    bool fresh = false;
    {
        const std::unique_lock lock{mutex_};
        fresh = raise(user_id, generation_floor, clock::now() + keep_for_);
    }
    if (fresh) {
        tell({{user_id, generation_floor}}, source);
    }
}

access revocations::check(const principal& who) const {
    const std::shared_lock lock{mutex_};
    const auto found = entries_.find(who.user_id);
    if (found == entries_.end() || found->second.until < clock::now() ||
        who.session_generation >= found->second.floor) {
        return access::allowed;
    }
    return found->second.floor == removed_floor ? access::removed : access::signed_out;
}

}  // namespace poki::auth
