// The shape of every clean-up job: claim this period's run (one instance wins), then work in
// batches, each its own short transaction, until a batch comes back short.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include <pqxx/pqxx>

#include "poki/db/pool.hpp"

namespace poki::db {

/// Rows the batch touched, at most `batch_size`.
using batch_step = std::function<std::int64_t(pqxx::work& tx, std::int64_t batch_size)>;

/// A batch that runs its own transaction (to publish its events after its commit, say).
using async_batch_step = std::function<awaitable<std::int64_t>(std::int64_t batch_size)>;

/// nullopt when another instance holds this period's run; otherwise the rows done in total.
awaitable<std::optional<std::int64_t>> run_claimed_batches(pool& database, std::string name,
                                                           std::int64_t period_s,
                                                           std::int64_t batch_size,
                                                           async_batch_step step);

/// The same where each batch is one transaction of `step`.
awaitable<std::optional<std::int64_t>> run_claimed_batches(pool& database, std::string name,
                                                           std::int64_t period_s,
                                                           std::int64_t batch_size,
                                                           batch_step step);

}  // namespace poki::db
