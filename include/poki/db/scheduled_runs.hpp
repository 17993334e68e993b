// Periodic jobs that must run once per period however many instances are up: each run is
// claimed in PostgreSQL first, and only the instance whose claim succeeds does the work.
#pragma once

#include <cstdint>
#include <string_view>

#include <pqxx/pqxx>

namespace poki::db {

/// True when this caller may run job `name` now: it has not run in the last `period_s`
/// seconds anywhere. Concurrent callers race on one row; exactly one wins.
[[nodiscard]] bool claim_scheduled_run(pqxx::transaction_base& tx, std::string_view name,
                                       std::int64_t period_s);

}  // namespace poki::db
