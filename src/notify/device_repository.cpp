#include "poki/notify/device_repository.hpp"

namespace poki::notify {

void device_repository::declare_statements(db::pool& database) {
    database.declare(
        "devices.upsert",
        "INSERT INTO devices (fcm_token, user_id, platform, app_version) VALUES ($1, $2, $3, $4)"
        " ON CONFLICT (fcm_token) DO UPDATE SET user_id = EXCLUDED.user_id,"
        " platform = EXCLUDED.platform, app_version = EXCLUDED.app_version, last_seen_at = now()"
        " RETURNING fcm_token, user_id, platform, app_version,"
        " to_char(last_seen_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')");
    database.declare("devices.remove", "DELETE FROM devices WHERE fcm_token = $1 AND user_id = $2");
    database.declare("devices.touch_user",
                     "UPDATE devices SET last_seen_at = now() WHERE user_id = $1");
    database.declare("devices.prune",
                     "DELETE FROM devices WHERE fcm_token IN (SELECT fcm_token FROM devices"
                     " WHERE last_seen_at < now() - make_interval(secs => $1)"
                     " ORDER BY last_seen_at LIMIT $2 FOR UPDATE SKIP LOCKED)");
}

device device_repository::upsert(pqxx::transaction_base& tx, const std::string& token,
                                 std::int64_t user_id, const std::string& platform,
                                 const std::string& app_version) {
    const auto row = tx.exec_prepared1("devices.upsert", token, user_id, platform, app_version);
    return device{row[0].as<std::string>(), row[1].as<std::int64_t>(), row[2].as<std::string>(),
                  row[3].as<std::string>(), row[4].as<std::string>()};
}

bool device_repository::remove(pqxx::transaction_base& tx, const std::string& token,
                               std::int64_t user_id) {
    return tx.exec_prepared("devices.remove", token, user_id).affected_rows() > 0;
}

void device_repository::touch_user(pqxx::transaction_base& tx, std::int64_t user_id) {
    tx.exec_prepared("devices.touch_user", user_id);
}

std::int64_t device_repository::prune(pqxx::transaction_base& tx, std::int64_t stale_seconds,
                                      int batch) {
    return static_cast<std::int64_t>(
        tx.exec_prepared("devices.prune", static_cast<double>(stale_seconds), batch)
            .affected_rows());
}

}  // namespace poki::notify
