// Members removed from a family, and every session of a member who logs out everywhere, lose
// access at once, on every instance, whatever Redis does. PostgreSQL is the truth
// (users.removed_at, users.session_generation). Each instance keeps in memory the removals
// recent enough to matter (a token issued before a removal lives at most its access TTL),
// reads them again every auth.revocation_poll_ms, and learns its own removals at commit;
// so the check on every request costs no I/O and holds through a Redis outage or flush.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <limits>
#include <shared_mutex>
#include <unordered_map>

#include <pqxx/pqxx>

#include "poki/core/net.hpp"
#include "poki/core/periodic.hpp"
#include "poki/core/principal.hpp"
#include "poki/db/pool.hpp"

namespace poki::auth {

/// Where an instance learnt of a revocation: its own commit, or another instance (Redis's
/// broadcast, or the periodic read from PostgreSQL).
enum class revocation_source { here, elsewhere };

/// Whether a token's sessions still have access.
enum class access { allowed, removed, signed_out };

class revocations {
  public:
    /// Tokens of a generation below the floor are refused; a removed member's floor is this.
    static constexpr std::int64_t removed_floor = std::numeric_limits<std::int64_t>::max();

    /// Called once per user newly revoked or with a floor raised, with the lock released, on the
    /// thread that learnt it.
    using listener = std::function<void(std::int64_t user_id, std::int64_t generation_floor,
                                        revocation_source source)>;

    revocations(db::pool& database, std::chrono::seconds token_lifetime);

    /// Declares the statement that reads recent removals.
    static void declare_statements(db::pool& database);

    /// Reads recent removals (blocking: start-up, before the first request).
    void load(pqxx::connection& connection);
    /// The same through the pool.
    awaitable<void> refresh();
    /// refresh() every `period`, until the io_context stops.
    awaitable<void> run(milliseconds period, job_monitor& jobs);

    /// A removal this instance committed (or heard of from another instance at once): refused
    /// here from now on, before the next read.
    void note_removal(std::int64_t user_id, revocation_source source = revocation_source::here) {
        note(user_id, removed_floor, source);
    }
    /// Sessions of generations below `generation_floor` ended (log out everywhere), or with
    /// removed_floor, the member was removed.
    void note(std::int64_t user_id, std::int64_t generation_floor, revocation_source source);

    /// Every listener hears of each user newly revoked (their open connections close). Set
    /// before serving; not thread-safe against revocations.
    void on_revoked(listener fn) { listeners_.push_back(std::move(fn)); }

    [[nodiscard]] access check(const principal& who) const;

  private:
    using clock = std::chrono::system_clock;
    struct entry {
        std::int64_t floor = 0;
        clock::time_point until;
    };
    struct change {
        std::int64_t user_id = 0;
        std::int64_t floor = 0;
    };
    void merge(const pqxx::result& rows);
    /// Records a floor kept until `until`; true when it refuses more than before.
    bool raise(std::int64_t user_id, std::int64_t floor, clock::time_point until);
    void tell(const std::vector<change>& changes, revocation_source source) const;

    db::pool& database_;
    std::chrono::seconds keep_for_;  // the token lifetime plus clock slack between instances
    mutable std::shared_mutex mutex_;
    std::unordered_map<std::int64_t, entry> entries_;  // guarded by mutex_
    std::vector<listener> listeners_;
};

}  // namespace poki::auth
