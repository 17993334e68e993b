// Members removed from a family lose access at once, on every instance, whatever Redis does.
// PostgreSQL is the truth (users.removed_at). Each instance keeps in memory the removals
// recent enough to matter (a token issued before a removal lives at most its access TTL),
// reads them again every auth.revocation_poll_ms, and learns its own removals at commit;
// so the check on every request costs no I/O and holds through a Redis outage or flush.
#pragma once

#include <chrono>
#include <cstdint>
#include <shared_mutex>
#include <unordered_map>

#include <pqxx/pqxx>

#include "poki/core/net.hpp"
#include "poki/db/pool.hpp"

namespace poki::auth {

class revocations {
  public:
    revocations(db::pool& database, std::chrono::seconds token_lifetime);

    /// Declares the statement that reads recent removals.
    static void declare_statements(db::pool& database);

    /// Reads recent removals (blocking: start-up, before the first request).
    void load(pqxx::connection& connection);
    /// The same through the pool.
    awaitable<void> refresh();
    /// refresh() every `period`, until the io_context stops.
    awaitable<void> run(milliseconds period);

    /// A removal this instance committed: refused here from now on, before the next read.
    void note_removal(std::int64_t user_id);

    [[nodiscard]] bool is_revoked(std::int64_t user_id) const;

  private:
    using clock = std::chrono::system_clock;
    void merge(const pqxx::result& rows);

    db::pool& database_;
    std::chrono::seconds keep_for_;  // the token lifetime plus clock slack between instances
    mutable std::shared_mutex mutex_;
    std::unordered_map<std::int64_t, clock::time_point> until_;  // guarded by mutex_
};

}  // namespace poki::auth
