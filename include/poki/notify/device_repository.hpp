// SQL for push devices (FCM registration tokens).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <pqxx/pqxx>

#include "poki/db/pool.hpp"

namespace poki::notify {

struct device {
    std::string fcm_token;
    std::int64_t user_id = 0;
    std::string platform;
    std::string app_version;
    std::string last_seen_at;  ///< RFC 3339
};

class device_repository {
  public:
    static void declare_statements(db::pool& database);

    /// Registers or refreshes a token; a token registered by someone else moves to this user.
    static device upsert(pqxx::transaction_base& tx, const std::string& token, std::int64_t user_id,
                         const std::string& platform, const std::string& app_version);
    /// Deletes the token if it is this user's; false otherwise.
    static bool remove(pqxx::transaction_base& tx, const std::string& token, std::int64_t user_id);
    /// Marks every token of the user as seen now (login, app start).
    static void touch_user(pqxx::transaction_base& tx, std::int64_t user_id);
    /// Deletes up to `batch` tokens not seen for `stale_seconds`, skipping rows another
    /// instance is deleting at the same time. Returns how many it deleted.
    static std::int64_t prune(pqxx::transaction_base& tx, std::int64_t stale_seconds, int batch);
};

}  // namespace poki::notify
