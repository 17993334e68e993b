#include "poki/notify/push_repository.hpp"

namespace poki::notify {

void push_repository::declare_statements(db::pool& database) {
    database.declare(
        "push.claim",
        "WITH due AS (SELECT id FROM push_outbox WHERE next_attempt_at <= now()"
        "   ORDER BY next_attempt_at LIMIT $1 FOR UPDATE SKIP LOCKED)"
        " UPDATE push_outbox o SET attempts = o.attempts + 1,"
        "   next_attempt_at = now() + make_interval(secs => $2)"
        " FROM due WHERE o.id = due.id"
        " RETURNING o.id, o.user_id, o.seq, o.fcm_token, o.type, o.title, o.body, o.attempts,"
        "   COALESCE((SELECT c.read_seq >= o.seq FROM event_counters c"
        "             WHERE c.user_id = o.user_id), false),"
        "   EXISTS (SELECT 1 FROM devices d WHERE d.fcm_token = o.fcm_token"
        "           AND d.user_id = o.user_id)");
    database.declare("push.remove", "DELETE FROM push_outbox WHERE id = $1");
    database.declare("push.retry_in",
                     "UPDATE push_outbox SET next_attempt_at = now() + make_interval(secs => $2"
                     " / 1000.0) WHERE id = $1");
    database.declare("push.forget_device",
                     "DELETE FROM devices WHERE fcm_token = $1 AND user_id = $2");
    database.declare(
        "push.outbox",
        "SELECT count(*), COALESCE(EXTRACT(EPOCH FROM now() - min(created_at)), 0)::float8"
        " FROM push_outbox");
}

std::vector<pending_push> push_repository::claim(pqxx::transaction_base& tx, int batch,
                                                 std::int64_t lease_s) {
    const auto rows = tx.exec_prepared("push.claim", batch, lease_s);
    std::vector<pending_push> out;
    out.reserve(rows.size());
    for (const auto& r : rows) {
        out.push_back(
            pending_push{r[0].as<std::int64_t>(), r[1].as<std::int64_t>(), r[2].as<std::int64_t>(),
                         r[3].as<std::string>(), r[4].as<std::string>(), r[5].as<std::string>(),
                         r[6].as<std::string>(), r[7].as<int>(), r[8].as<bool>(), r[9].as<bool>()});
    }
    return out;
}

void push_repository::remove(pqxx::transaction_base& tx, std::int64_t id) {
    tx.exec_prepared("push.remove", id);
}

void push_repository::retry_in(pqxx::transaction_base& tx, std::int64_t id, std::int64_t delay_ms) {
    tx.exec_prepared("push.retry_in", id, delay_ms);
}

void push_repository::forget_device(pqxx::transaction_base& tx, const std::string& token,
                                    std::int64_t user_id) {
    tx.exec_prepared("push.forget_device", token, user_id);
}

outbox_state push_repository::outbox(pqxx::transaction_base& tx) {
    const auto row = tx.exec_prepared1("push.outbox");
    return {row[0].as<std::int64_t>(), row[1].as<double>()};
}

}  // namespace poki::notify
