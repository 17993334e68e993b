#include "poki/auth/revocations.hpp"

#include <mutex>

#include "poki/core/periodic.hpp"

namespace poki::auth {
namespace {

constexpr std::chrono::seconds clock_slack{60};
constexpr const char* recent_removals =
    "SELECT id, (extract(epoch FROM removed_at) * 1000)::bigint FROM users"
    " WHERE removed_at > now() - make_interval(secs => $1)";

}  // namespace

revocations::revocations(db::pool& database, std::chrono::seconds token_lifetime)
    : database_{database}, keep_for_{token_lifetime + clock_slack} {
    declare_statements(database_);
}

void revocations::declare_statements(db::pool& database) {
    database.declare("auth.recent_removals", recent_removals);
}

void revocations::merge(const pqxx::result& rows) {
    const auto now = clock::now();
    std::vector<std::int64_t> fresh;
    {
        const std::unique_lock lock{mutex_};
        // Entries are never dropped because a read missed them (it may have started before a
        // local removal committed); only because their tokens cannot be alive any more.
        std::erase_if(until_, [now](const auto& entry) { return entry.second < now; });
        for (const auto& row : rows) {
            const auto removed_at = clock::time_point{milliseconds{row[1].as<std::int64_t>()}};
            const auto until = removed_at + keep_for_;
            auto [slot, made] = until_.try_emplace(row[0].as<std::int64_t>(), until);
            if (made) {
                fresh.push_back(slot->first);
            } else if (slot->second < until) {
                slot->second = until;
            }
        }
    }
    tell(fresh, revocation_source::elsewhere);
}

void revocations::tell(const std::vector<std::int64_t>& users, revocation_source source) const {
    for (const auto user : users) {
        for (const auto& fn : listeners_) {
            fn(user, source);
        }
    }
}

void revocations::load(pqxx::connection& connection) {
    pqxx::nontransaction tx{connection};
    merge(tx.exec_params(recent_removals, keep_for_.count()));
}

awaitable<void> revocations::refresh() {
    auto read = [seconds = keep_for_.count()](pqxx::connection& c) {
        pqxx::nontransaction tx{c};
        return tx.exec_prepared("auth.recent_removals", seconds);
    };
    merge(co_await database_.run(std::move(read)));
}

awaitable<void> revocations::run(milliseconds period) {
    // The closure lives in run_periodically's frame for as long as the job can run.
    std::function<awaitable<void>()> job = [this]() -> awaitable<void> { co_await refresh(); };
    co_await run_periodically("revocation refresh", period, std::move(job));
}

void revocations::note_removal(std::int64_t user_id, revocation_source source) {
    bool fresh = false;
    {
        const std::unique_lock lock{mutex_};
        auto [slot, made] = until_.insert_or_assign(user_id, clock::now() + keep_for_);
        fresh = made;
    }
    if (fresh) {
        tell({user_id}, source);
    }
}

bool revocations::is_revoked(std::int64_t user_id) const {
    const std::shared_lock lock{mutex_};
    const auto found = until_.find(user_id);
    return found != until_.end() && found->second >= clock::now();
}

}  // namespace poki::auth
