// Which occurrences of a reservation are ahead, due, or already recorded: pure functions of
// its recurrence, the family's zone and the occurrence records, so they are tested without
// a database and every instance computes the same answer.
#pragma once

#include <chrono>
#include <date/tz.h>
#include <optional>
#include <span>
#include <vector>

#include "poki/reservations/reservation_types.hpp"

namespace poki::reservations {

/// The recorded occurrences a plan needs: every record on or after `from_date`, and every
/// one still moved (pending at its new time), whatever its date.
struct plan_input {
    const schedule::recurrence& when;
    const date::time_zone& zone;
    std::span<const occurrence_record> records;
};

/// Occurrences still to become missions whose instants lie in (after, through], ascending,
/// at most `limit`: the rule's dates without a record, and moved ones at their new time.
[[nodiscard]] std::vector<occurrence> pending_between(const plan_input& plan,
                                                      std::chrono::sys_seconds after,
                                                      std::chrono::sys_seconds through,
                                                      std::size_t limit);

/// The next pending occurrence after `after`, looking five years ahead; nullopt when the
/// recurrence has ended.
[[nodiscard]] std::optional<occurrence> next_pending(const plan_input& plan,
                                                     std::chrono::sys_seconds after);

/// Everything in [from, to): what was recorded (activated, missed, skipped) and what is
/// still ahead of `cursor`, ascending, at most `limit`.
[[nodiscard]] std::vector<occurrence> occurrences_between(const plan_input& plan,
                                                          std::chrono::sys_seconds cursor,
                                                          std::chrono::sys_seconds from,
                                                          std::chrono::sys_seconds to,
                                                          std::size_t limit);

/// The catch-up rule, for occurrences that came due while no instance looked (downtime, a
/// pause in the job): only the latest becomes a mission, and only while its due time is
/// still ahead; every other one is recorded as missed. `due` is ascending.
struct catch_up {
    std::optional<occurrence> activate;
    std::vector<occurrence> missed;
};
[[nodiscard]] catch_up apply_catch_up(std::vector<occurrence> due, std::optional<int> due_minutes,
                                      std::chrono::sys_seconds now);

}  // namespace poki::reservations
