#include "poki/db/claimed_batches.hpp"

#include "poki/db/scheduled_runs.hpp"

namespace poki::db {

awaitable<std::optional<std::int64_t>> run_claimed_batches(pool& database, std::string name,
                                                           std::int64_t period_s,
                                                           std::int64_t batch_size,
                                                           async_batch_step step) {
    auto claim = [name, period_s](pqxx::connection& c) {
        pqxx::work tx{c};
        const bool mine = claim_scheduled_run(tx, name, period_s);
        tx.commit();
        return mine;
    };
    if (!co_await database.run(std::move(claim))) {
        co_return std::nullopt;
    }
    std::int64_t total = 0;
    while (true) {
        const auto n = co_await step(batch_size);
        total += n;
        if (n < batch_size) {
            break;
        }
    }
    co_return total;
}

awaitable<std::optional<std::int64_t>> run_claimed_batches(pool& database, std::string name,
                                                           std::int64_t period_s,
                                                           std::int64_t batch_size,
                                                           batch_step step) {
    async_batch_step in_one_transaction =
        [&database, step = std::move(step)](std::int64_t size) -> awaitable<std::int64_t> {
        auto one = [step, size](pqxx::connection& c) {
            pqxx::work tx{c};
            const auto n = step(tx, size);
            tx.commit();
            return n;
        };
        co_return co_await database.run(std::move(one));
    };
    co_return co_await run_claimed_batches(database, std::move(name), period_s, batch_size,
                                           std::move(in_one_transaction));
}

}  // namespace poki::db
