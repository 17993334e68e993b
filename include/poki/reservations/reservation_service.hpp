// Reservations: a parent plans missions ahead, once or repeating, in the family's local
// time; when an occurrence's time comes it becomes an ordinary assigned mission, exactly
// once, whichever instance gets there (the reservation row is locked while its occurrence is
// made, and the occurrence record's key is the database's last word).
//
// The catch-up rule: when several occurrences came due while no instance looked (all were
// down, the job was held up), only the latest becomes a mission, and only while its due time
// is still ahead; the others are recorded as missed. Occurrences before a reservation was
// created or while it was paused never happen.
#pragma once

#include <atomic>
#include <chrono>
#include <optional>
#include <vector>

#include "poki/core/config.hpp"
#include "poki/core/periodic.hpp"
#include "poki/core/principal.hpp"
#include "poki/core/request_key.hpp"
#include "poki/db/pool.hpp"
#include "poki/db/read_pipeline.hpp"
#include "poki/notify/event_service.hpp"
#include "poki/reservations/reservation_repository.hpp"
#include "poki/reservations/reservation_types.hpp"

namespace poki::reservations {

class reservation_service {
  public:
    reservation_service(db::pool& database, db::read_pipeline& reads, notify::event_service& events,
                        const reservations_config& config);

    /// Parents. Refused when no occurrence lies ahead. The answer is the reservation's JSON.
    awaitable<keyed_answer> create(principal who, new_reservation input,
                                   std::optional<request_key> key = std::nullopt);
    /// Parents see the family's; a child their own.
    awaitable<reservation_page> list(principal who, reservation_filter filter);
    awaitable<reservation> get(principal who, std::int64_t id);
    /// Parents. What already happened stays; the change applies from now on (a new
    /// recurrence also forgets skips and moves ahead of it).
    awaitable<reservation> update(principal who, std::int64_t id, reservation_patch patch);
    awaitable<reservation> pause(principal who, std::int64_t id);
    /// Occurrences that fell in the pause do not happen.
    awaitable<reservation> resume(principal who, std::int64_t id);
    awaitable<void> remove(principal who, std::int64_t id);

    /// What happened and what is ahead in [from, to), at most a year.
    awaitable<std::vector<occurrence>> occurrences(principal who, std::int64_t id,
                                                   std::chrono::sys_seconds from,
                                                   std::chrono::sys_seconds to);
    /// Parents: skips one occurrence ahead, or moves it to another local time ahead.
    awaitable<reservation> change_occurrence(principal who, std::int64_t id,
                                             occurrence_change change);

    /// Makes every due occurrence, in batches, each its own transaction; returns how many
    /// missions were made. Instances run this side by side and share the work.
    awaitable<std::int64_t> activate_due();
    /// Runs activate_due every reservations.activation_interval_ms until the io_context stops.
    awaitable<void> run_activation(job_monitor& jobs);

    /// Inside the write that changed the family's zone: every reservation's next occurrence
    /// again, from now on.
    static void rezone(pqxx::transaction_base& tx, std::int64_t family_id);

    void render_metrics(std::string& out) const;

  private:
    struct batch_result {
        std::int64_t claimed = 0;
        std::int64_t made = 0;
        std::int64_t missed = 0;
    };
    /// One transaction over up to activation_batch claimed reservations; `careful` gives
    /// each its own savepoint.
    awaitable<batch_result> activate_batch(bool careful);

    db::pool& database_;
    db::read_pipeline& reads_;
    notify::event_service& events_;
    const reservations_config& config_;
    std::atomic<std::uint64_t> activated_{0};
    std::atomic<std::uint64_t> missed_{0};
};

}  // namespace poki::reservations
