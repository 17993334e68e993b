// Liveness, readiness and service facts for operators and apps.
#pragma once

#include <atomic>
#include <string>

#include "poki/cache/redis_client.hpp"
#include "poki/db/pool.hpp"
#include "poki/ops/ops_repository.hpp"

namespace poki::ops {

struct readiness {
    bool postgres = false;
    bool redis = false;
    [[nodiscard]] bool ready() const noexcept { return postgres && redis; }
};

class ops_service {
  public:
    ops_service(db::pool& database, db::read_pipeline& reads, cache::redis_client& redis)
        : database_{database}, reads_{reads}, redis_{redis} {
        ops_repository::declare_statements(database_);
    }

    /// Checks PostgreSQL and Redis at the same time; never throws for a dependency that is down.
    awaitable<readiness> check_readiness();

    /// From SIGTERM on /readyz fails at once, while everything else is still served.
    void begin_drain() noexcept { draining_.store(true, std::memory_order_relaxed); }
    [[nodiscard]] bool draining() const noexcept {
        return draining_.load(std::memory_order_relaxed);
    }

    /// The applied schema version and the database clock. Throws errc::unavailable if down.
    awaitable<schema_info> schema();

  private:
    awaitable<bool> postgres_up();
    awaitable<bool> redis_up();

    db::pool& database_;
    db::read_pipeline& reads_;
    cache::redis_client& redis_;
    std::atomic<bool> draining_{false};
};

}  // namespace poki::ops
