// What the family calendar asks of reservations, inside its own read: the occurrences still
// ahead in a range, and each active reservation's series with what is recorded of it (for
// the iCalendar feed's RRULE and EXDATE lines).
#pragma once

#include <chrono>
#include <cstdint>
#include <date/tz.h>
#include <optional>
#include <span>
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

struct planned_series {
    reservation r;
    std::vector<occurrence_record> records;  ///< every one its reader needs (see below)
};

/// The family's active reservations (only `child_id`'s when given), each with its records
/// from a day before `from` in any zone on: what upcoming_between needs for a window from
/// `from`. Needs no zone, so it can be read alongside the family's.
[[nodiscard]] awaitable<std::vector<planned_series>> series_from(
    db::read_pipeline& reads, std::int64_t family_id, std::optional<std::int64_t> child_id,
    std::chrono::sys_seconds from);

/// Occurrences of `series` still to become missions in [from, to), by time, at most
/// `limit`; `zone` is the family's.
[[nodiscard]] std::vector<planned_occurrence> upcoming_between(
    std::span<const planned_series> series, const date::time_zone& zone,
    std::chrono::sys_seconds from, std::chrono::sys_seconds to, std::size_t limit);

/// Every active reservation of the family (only `child_id`'s when given) with all its
/// records from its first date on (the feed writes whole series).
[[nodiscard]] std::vector<planned_series> active_series(pqxx::transaction_base& tx,
                                                        std::int64_t family_id,
                                                        std::optional<std::int64_t> child_id);

}  // namespace poki::reservations
