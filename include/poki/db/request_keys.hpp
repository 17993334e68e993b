// Idempotency-Key storage: a creating transaction takes its key and stores its answer in the
// same transaction, so a retry after a lost response (or a crash) gets the first answer and
// never makes the change twice. Keys are kept for request_key_ttl and then pruned.
#pragma once

#include <chrono>
#include <optional>

#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "poki/core/periodic.hpp"
#include "poki/core/request_key.hpp"
#include "poki/db/pool.hpp"

namespace poki::db {

inline constexpr std::chrono::hours request_key_ttl{24};

void declare_request_key_statements(pool& database);

/// Takes the key inside tx: nullopt for its first use (a concurrent request with the same key
/// now waits until tx ends), or the answer the first request stored. A key used before for
/// another request (a different digest) is a 422.
[[nodiscard]] std::optional<keyed_answer> claim_request_key(pqxx::transaction_base& tx,
                                                            const request_key& key);
void store_answer(pqxx::transaction_base& tx, const request_key& key, const keyed_answer& answer);

/// Deletes up to `batch` keys older than request_key_ttl; returns how many.
std::int64_t prune_request_keys(pqxx::work& tx, std::int64_t batch);

/// Prunes expired keys every hour (one instance per run) until the io_context stops.
awaitable<void> run_request_key_retention(pool& database, job_monitor& jobs);

}  // namespace poki::db
