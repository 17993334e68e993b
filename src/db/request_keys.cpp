#include "poki/db/request_keys.hpp"

#include "poki/core/error.hpp"
#include "poki/core/periodic.hpp"
#include "poki/db/claimed_batches.hpp"

namespace poki::db {

void declare_request_key_statements(pool& database) {
    database.declare("request_key_claim",
                     "INSERT INTO request_keys (user_id, key, digest) VALUES ($1, $2, $3)"
                     " ON CONFLICT (user_id, key) DO NOTHING RETURNING true");
    // A separate statement on purpose: after the INSERT waited for a concurrent holder of the
    // key, only a new statement's snapshot sees the row that holder committed.
    database.declare(
        "request_key_earlier",
        "SELECT digest, answer::text FROM request_keys WHERE user_id = $1 AND key = $2");
    database.declare("request_key_answer",
                     "UPDATE request_keys SET answer = $3::jsonb WHERE user_id = $1 AND key = $2");
}

std::optional<keyed_answer> claim_request_key(pqxx::transaction_base& tx, const request_key& key) {
    if (!tx.exec_prepared("request_key_claim", key.user_id, key.key, key.digest).empty()) {
        return std::nullopt;
    }
    const auto earlier = tx.exec_prepared("request_key_earlier", key.user_id, key.key);
    if (earlier.empty()) {
        // Pruned between the two statements: treat this as the key's first use.
        if (tx.exec_prepared("request_key_claim", key.user_id, key.key, key.digest).empty()) {
            throw error{errc::conflict, "idempotency_key_in_use",
                        "This Idempotency-Key is in use; retry the request."};
        }
        return std::nullopt;
    }
    const auto row = earlier[0];
    if (row[0].as<std::string>() != key.digest) {
        throw error::validation("Idempotency-Key", "idempotency_key_reused",
                                "This key was already used for a different request.");
    }
    auto stored = nlohmann::json::parse(row[1].as<std::string>());
    return keyed_answer{std::move(stored.at("body")), stored.at("created").get<bool>(), true};
}

void store_answer(pqxx::transaction_base& tx, const request_key& key, const keyed_answer& answer) {
    const nlohmann::json stored{{"body", answer.body}, {"created", answer.created}};
    tx.exec_prepared0("request_key_answer", key.user_id, key.key, stored.dump());
}

std::int64_t prune_request_keys(pqxx::work& tx, std::int64_t batch) {
    const auto done = tx.exec_params(
        "WITH doomed AS (SELECT user_id, key FROM request_keys"
        "  WHERE created_at < now() - make_interval(hours => $1)"
        "  ORDER BY created_at LIMIT $2 FOR UPDATE SKIP LOCKED)"
        " DELETE FROM request_keys r USING doomed d WHERE r.user_id = d.user_id AND r.key = d.key",
        static_cast<int>(request_key_ttl.count()), batch);
    return static_cast<std::int64_t>(done.affected_rows());
}

awaitable<void> run_request_key_retention(pool& database, job_monitor& jobs) {
    constexpr std::int64_t period_s = 3600;
    constexpr std::int64_t batch = 5000;
    std::function<awaitable<void>()> job = [&database]() -> awaitable<void> {
        db::batch_step step = [](pqxx::work& tx, std::int64_t n) {
            return prune_request_keys(tx, n);
        };
        co_await run_claimed_batches(database, "request key retention", period_s, batch,
                                     std::move(step));
    };
    co_await run_periodically("request key retention", std::chrono::seconds{period_s},
                              std::move(job), jobs);
}

}  // namespace poki::db
