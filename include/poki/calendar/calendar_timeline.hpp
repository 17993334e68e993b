// Family events expanded into the calendar's timeline, and the iCalendar feed of what a member
// sees: pure functions of what the calendar service read, so both are tested without a
// database and two reads of the same data give the same bytes.
#pragma once

#include <chrono>
#include <date/tz.h>
#include <span>
#include <string>
#include <vector>

#include "poki/calendar/calendar_types.hpp"
#include "poki/grapes/board_calendar.hpp"
#include "poki/missions/mission_calendar.hpp"
#include "poki/reservations/reservation_calendar.hpp"

namespace poki::calendar {

/// The first date a recurrence gives (a weekly rule need not include its first day), looking
/// ten years ahead; nullopt when it gives none.
[[nodiscard]] std::optional<date::local_days> first_date(const schedule::recurrence& when);

/// The occurrences of `e` that overlap [from, to), by start, at most `limit`.
[[nodiscard]] std::vector<calendar_item> event_occurrences(const family_event& e,
                                                           const date::time_zone& zone,
                                                           std::chrono::sys_seconds from,
                                                           std::chrono::sys_seconds to,
                                                           std::size_t limit);

struct feed_input {
    const date::time_zone& zone;
    std::span<const family_event> events;
    std::span<const reservations::planned_series> reservations;
    std::span<const missions::due_mission> missions;
    std::span<const grapes::gift_day> gift_days;
    int tz_through_year = 2036;  ///< VTIMEZONE lists offset changes until this year
};

/// The VCALENDAR: events and reservations as series (RRULE, EXDATE for occurrences that
/// happened, were skipped or moved; a moved one as its own event), missions at their due
/// time, gift days as all-day events; stable UIDs; DTSTAMP is each thing's last change.
[[nodiscard]] std::string feed_text(const feed_input& in);

}  // namespace poki::calendar
