#include "poki/db/scheduled_runs.hpp"

#include <string>

namespace poki::db {

bool claim_scheduled_run(pqxx::transaction_base& tx, std::string_view name, std::int64_t period_s) {
    // A small margin under the period, so a timer that fires a little early still claims.
    const auto rows = tx.exec_params(
        "INSERT INTO scheduled_runs (name, last_run_at) VALUES ($1, now())"
        " ON CONFLICT (name) DO UPDATE SET last_run_at = now()"
        " WHERE scheduled_runs.last_run_at <= now() - make_interval(secs => $2 * 0.9)"
        " RETURNING 1",
        std::string{name}, period_s);
    return !rows.empty();
}

}  // namespace poki::db
