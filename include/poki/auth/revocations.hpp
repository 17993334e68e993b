// Members removed from a family lose access at once, on every instance, whatever Redis does.
// PostgreSQL is the truth (users.removed_at). Each instance keeps in memory the removals
// recent enough to matter (a token issued before a removal lives at most its access TTL),
// reads them again every auth.revocation_poll_ms, and learns its own removals at commit;
// so the check on every request costs no I/O and holds through a Redis outage or flush.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <shared_mutex>
#include <unordered_map>

#include <pqxx/pqxx>

#include "poki/core/net.hpp"
#include "poki/db/pool.hpp"

namespace poki::auth {

/// Where an instance learnt of a revocation: its own commit, or another instance (Redis's
/// broadcast, or the periodic read from PostgreSQL).
enum class revocation_source { here, elsewhere };

class revocations {
  public:
    /// Called once per user newly revoked, with the lock released, on the thread that learnt it.
    using listener = std::function<void(std::int64_t user_id, revocation_source source)>;

    revocations(db::pool& database, std::chrono::seconds token_lifetime);

    /// Declares the statement that reads recent removals.
    static void declare_statements(db::pool& database);

    /// Reads recent removals (blocking: start-up, before the first request).
    void load(pqxx::connection& connection);
    /// The same through the pool.
    awaitable<void> refresh();
    /// refresh() every `period`, until the io_context stops.
    awaitable<void> run(milliseconds period);

    /// A removal this instance committed (or heard of from another instance at once): refused
    /// here from now on, before the next read.
    void note_removal(std::int64_t user_id, revocation_source source = revocation_source::here);

    /// Every listener hears of each user newly revoked (their open connections close). Set
    /// before serving; not thread-safe against revocations.
    void on_revoked(listener fn) { listeners_.push_back(std::move(fn)); }

    [[nodiscard]] bool is_revoked(std::int64_t user_id) const;

  private:
    using clock = std::chrono::system_clock;
    void merge(const pqxx::result& rows);
    void tell(const std::vector<std::int64_t>& users, revocation_source source) const;

    db::pool& database_;
    std::chrono::seconds keep_for_;  // the token lifetime plus clock slack between instances
    mutable std::shared_mutex mutex_;
    std::unordered_map<std::int64_t, clock::time_point> until_;  // guarded by mutex_
    std::vector<listener> listeners_;
};

}  // namespace poki::auth
