// SQL for family events and calendar feeds.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <pqxx/pqxx>

#include "poki/calendar/calendar_types.hpp"
#include "poki/db/pool.hpp"
#include "poki/db/read_pipeline.hpp"

namespace poki::calendar {

class calendar_repository {
  public:
    static void declare_statements(db::pool& database);

    static family_event insert(pqxx::transaction_base& tx, std::int64_t family_id,
                               std::int64_t created_by, const new_event& e);
    static std::optional<family_event> find(pqxx::transaction_base& tx, std::int64_t id);
    static std::optional<family_event> lock(pqxx::transaction_base& tx, std::int64_t id);
    static family_event save(pqxx::transaction_base& tx, const family_event& current,
                             const new_event& e);
    static void remove(pqxx::transaction_base& tx, std::int64_t id);
    /// The family's events (only those for `member` and for everyone, when given), by id.
    static std::vector<family_event> in_family(pqxx::transaction_base& tx, std::int64_t family_id,
                                               std::optional<std::int64_t> member, int limit);
    static std::string family_zone(pqxx::transaction_base& tx, std::int64_t family_id);
    struct zone_and_events {
        std::string time_zone;
        std::vector<family_event> events;
    };
    /// The family's zone and in_family's events, in one statement; errc::not_found when
    /// there is no such family.
    static awaitable<zone_and_events> family_calendar(db::read_pipeline& reads,
                                                      std::int64_t family_id,
                                                      std::optional<std::int64_t> member,
                                                      int limit);
    /// How many events the family keeps.
    static int kept(pqxx::transaction_base& tx, std::int64_t family_id);

    /// Replaces the member's feed token (its hash).
    static void set_feed(pqxx::transaction_base& tx, std::int64_t user_id,
                         const std::string& token_hash);
    struct feed_owner {
        std::int64_t user_id = 0;
        std::int64_t family_id = 0;
        bool child = false;
    };
    /// The active member whose feed token hashes to `token_hash`.
    static std::optional<feed_owner> feed_owner_of(pqxx::transaction_base& tx,
                                                   const std::string& token_hash);
};

}  // namespace poki::calendar
