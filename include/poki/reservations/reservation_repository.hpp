// SQL for reservations and their occurrence records. Changes lock the reservation row first
// (lock, claim_due), so the activation job and a parent's edit never interleave.
#pragma once

#include <chrono>
#include <optional>
#include <span>
#include <vector>

#include <pqxx/pqxx>

#include "poki/db/pool.hpp"
#include "poki/db/read_pipeline.hpp"
#include "poki/reservations/reservation_types.hpp"

namespace poki::reservations {

struct reservation_filter {
    std::optional<std::int64_t> child_id;
    std::optional<std::int64_t> before;  ///< cursor: reservations with a smaller id
    int limit = 50;
};

class reservation_repository {
  public:
    static void declare_statements(db::pool& database);

    /// How many reservations the family keeps (not deleted).
    static int kept(pqxx::transaction_base& tx, std::int64_t family_id);
    /// The family's zone name.
    static std::string family_zone(pqxx::transaction_base& tx, std::int64_t family_id);
    static reservation insert(pqxx::transaction_base& tx, std::int64_t family_id,
                              std::int64_t created_by, const new_reservation& r,
                              std::chrono::sys_seconds cursor,
                              std::optional<std::chrono::sys_seconds> next);
    static awaitable<std::optional<reservation>> find(db::read_pipeline& reads, std::int64_t id);
    static std::optional<reservation> find(pqxx::transaction_base& tx, std::int64_t id);
    static std::optional<reservation> lock(pqxx::transaction_base& tx, std::int64_t id);
    /// nullopt when the filter names a child who is not one of the family's.
    static awaitable<std::optional<reservation_page>> list(db::read_pipeline& reads,
                                                           std::int64_t family_id,
                                                           const reservation_filter& filter);
    /// Writes the template, the recurrence, paused, cursor and next_at of `r`.
    static reservation save(pqxx::transaction_base& tx, const reservation& r,
                            std::optional<std::chrono::sys_seconds> next);
    static void remove(pqxx::transaction_base& tx, std::int64_t id);

    struct claimed {
        reservation r;
        bool child_active = true;  ///< false once the child was removed from the family
    };
    /// Up to `batch` active reservations whose next occurrence is due, locked; rows another
    /// transaction holds are left to it.
    static std::vector<claimed> claim_due(pqxx::transaction_base& tx, int batch);
    /// Where an activated reservation moves on to: only its cursor and next occurrence.
    struct progress {
        std::int64_t id = 0;
        std::chrono::sys_seconds cursor;
        std::optional<std::chrono::sys_seconds> next;
    };
    /// All of them in one statement.
    static void advance(pqxx::transaction_base& tx, std::span<const progress> moves);
    /// Claims the reservation again no sooner than `until` (its activation failed).
    static void postpone(pqxx::transaction_base& tx, std::int64_t id,
                         std::chrono::sys_seconds until);
    /// The family's active reservations (only `child_id`'s when given), unlocked, by id.
    static std::vector<reservation> active(pqxx::transaction_base& tx, std::int64_t family_id,
                                           std::optional<std::int64_t> child_id, int limit);
    /// The same through the read pipeline, with each one's records on or after `from_date`
    /// (and every moved one).
    struct active_plans {
        std::vector<reservation> list;
        std::vector<std::vector<occurrence_record>> records;  ///< in list's order
    };
    static awaitable<active_plans> active(db::read_pipeline& reads, std::int64_t family_id,
                                          std::optional<std::int64_t> child_id,
                                          date::local_days from_date, int limit);
    /// Every active reservation of the family, locked (its zone changed).
    static std::vector<reservation> lock_family(pqxx::transaction_base& tx, std::int64_t family_id);

    /// The records plan_input needs, for reservations `ids`: on or after `from_date`, or moved.
    static std::vector<std::vector<occurrence_record>> records(pqxx::transaction_base& tx,
                                                               std::span<const std::int64_t> ids,
                                                               date::local_days from_date);
    /// What happened to one occurrence of reservation `reservation_id`.
    struct outcome {
        std::int64_t reservation_id = 0;
        occurrence_record record;
    };
    /// Records all of them in one statement. Throws when one was already made or missed:
    /// an occurrence becomes a mission once.
    static void record(pqxx::transaction_base& tx, std::span<const outcome> outcomes);
    /// A parent's skip or move ahead; refused (false) when the occurrence already happened.
    static bool record_change(pqxx::transaction_base& tx, std::int64_t reservation_id,
                              const occurrence_record& r);
    /// Forgets skips and moves of occurrences on or after `from_date` (a new recurrence).
    static void forget_changes(pqxx::transaction_base& tx, std::int64_t reservation_id,
                               date::local_days from_date);
};

}  // namespace poki::reservations
