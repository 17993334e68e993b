// What the family calendar asks of reservations, inside its own read: the occurrences still
// ahead in a range, and each active reservation's series with what is recorded of it (for
// the iCalendar feed's RRULE and EXDATE lines).
#pragma once

#include <chrono>
#include <cstdint>
#include <date/tz.h>
#include <optional>
#include <vector>

#include <pqxx/pqxx>

#include "poki/db/pool.hpp"
#include "poki/db/read_pipeline.hpp"
#include "poki/reservations/reservation_types.hpp"

namespace poki::reservations {

void declare_calendar_statements(db::pool& database);

struct planned_occurrence {
    std::int64_t reservation_id = 0;
    std::int64_t child_id = 0;
    std::string title;
    int reward = 0;
    occurrence at;
};

/// Occurrences of the family's active reservations (only `child_id`'s when given) still to
/// become missions in [from, to), by time, at most `limit`; `zone` is the family's.
[[nodiscard]] awaitable<std::vector<planned_occurrence>> upcoming_between(
    db::read_pipeline& reads, std::int64_t family_id, std::optional<std::int64_t> child_id,
    const date::time_zone& zone, std::chrono::sys_seconds from, std::chrono::sys_seconds to,
    std::size_t limit);

struct planned_series {
    reservation r;
    std::vector<occurrence_record> records;  ///< every one from the first date on
};

/// Every active reservation of the family (only `child_id`'s when given) with its records.
[[nodiscard]] std::vector<planned_series> active_series(pqxx::transaction_base& tx,
                                                        std::int64_t family_id,
                                                        std::optional<std::int64_t> child_id);

}  // namespace poki::reservations
