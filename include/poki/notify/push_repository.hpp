// SQL for the push outbox: claiming due pushes (each by one instance), and settling them.
#pragma once

#include <vector>

#include <pqxx/pqxx>

#include "poki/db/pool.hpp"

namespace poki::notify {

struct pending_push {
    std::int64_t id = 0;
    std::int64_t user_id = 0;
    std::int64_t seq = 0;
    std::string fcm_token;
    std::string type;
    std::string title;
    std::string body;
    int attempts = 0;             ///< including the one just claimed
    bool already_read = false;    ///< the user read the event meanwhile
    bool device_current = false;  ///< the token still belongs to the user
};

struct outbox_state {
    std::int64_t depth = 0;
    double oldest_age_s = 0;
};

class push_repository {
  public:
    static void declare_statements(db::pool& database);

    /// Takes up to `batch` due pushes and hides them from other instances for `lease_s`
    /// seconds (SKIP LOCKED: two instances never claim the same row). A push whose sender
    /// crashed comes due again when the lease runs out.
    static std::vector<pending_push> claim(pqxx::transaction_base& tx, int batch,
                                           std::int64_t lease_s);
    static void remove(pqxx::transaction_base& tx, std::int64_t id);
    static void retry_in(pqxx::transaction_base& tx, std::int64_t id, std::int64_t delay_ms);
    /// FCM said the token is dead: the device goes, and every push queued for it.
    static void forget_device(pqxx::transaction_base& tx, const std::string& token,
                              std::int64_t user_id);
    /// How many pushes wait, and how long the oldest has (0 when none).
    static outbox_state outbox(pqxx::transaction_base& tx);
};

}  // namespace poki::notify
