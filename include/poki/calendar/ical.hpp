// Writing RFC 5545 iCalendar text: escaped and folded content lines, CRLF endings, a
// VTIMEZONE made from the tz database, and RRULEs from the schedule module's repeat rules.
// Pure functions of their input, so a feed is byte-for-byte the same until something in it
// changes (its ETag is the hash of the text).
#pragma once

#include <chrono>
#include <date/tz.h>
#include <optional>
#include <string>
#include <string_view>

#include "poki/schedule/recurrence.hpp"

namespace poki::calendar::ical {

/// TEXT value escaping (§3.3.11): backslash, semicolon, comma and newlines.
[[nodiscard]] std::string escape_text(std::string_view text);

/// "20261207T190000Z"
[[nodiscard]] std::string utc_stamp(std::chrono::sys_seconds t);
/// "20261207T190000" (local, with a TZID parameter beside it)
[[nodiscard]] std::string local_stamp(date::local_seconds t);
/// "20261207"
[[nodiscard]] std::string date_stamp(date::local_days d);

/// The RRULE value of a repeat rule whose first occurrence is `first` at local time `at`:
/// nullopt for once. UNTIL is given in UTC for timed series, as a date for all-day ones.
[[nodiscard]] std::optional<std::string> rrule(const schedule::repeat_rule& rule,
                                               date::local_days first, std::chrono::seconds at,
                                               const date::time_zone& zone, bool all_day);

/// A calendar being written: begin, components, end; lines folded at 75 octets.
class writer {
  public:
    explicit writer(std::string_view product_id);

    /// A property line: NAME[;params]:value, the value already escaped where it is TEXT.
    writer& line(std::string_view name, std::string_view value);
    writer& text(std::string_view name, std::string_view value);  ///< escapes the value
    writer& begin(std::string_view component);
    writer& end(std::string_view component);

    /// VTIMEZONE for `zone` with every offset change in [from, through] (and the offset in
    /// force at `from`), enough for any DTSTART in that span and the repeats after it.
    writer& time_zone(const date::time_zone& zone, std::chrono::sys_seconds from,
                      std::chrono::sys_seconds through);

    /// Ends the VCALENDAR and hands the text over.
    [[nodiscard]] std::string finish() &&;

  private:
    std::string out_;
};

}  // namespace poki::calendar::ical
