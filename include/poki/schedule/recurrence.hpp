// When something happens in a family's local time: a first date, a time of day, and an
// optional repeat (every N days, chosen weekdays every N weeks, a day of the month every N
// months), ended by a last date or a number of times. Local time, so "every weekday at
// 19:00" stays at 19:00 across daylight-saving changes; the family's zone turns an
// occurrence into an instant (time_zones.hpp).
#pragma once

#include <chrono>
#include <cstdint>
#include <date/date.h>
#include <functional>
#include <optional>
#include <string>

namespace poki::schedule {

enum class frequency { once, day, week, month };

[[nodiscard]] std::string_view to_string(frequency f) noexcept;
[[nodiscard]] std::optional<frequency> parse_frequency(std::string_view text) noexcept;

struct repeat_rule {
    frequency every = frequency::once;
    int interval = 1;           ///< every `interval` days, weeks or months
    std::uint8_t weekdays = 0;  ///< weekly: bit 0 Monday … bit 6 Sunday; 0 means the first date's
    int month_day = 0;  ///< monthly: 1–31; 0 means the first date's. Months without it are skipped
    std::optional<date::local_days> until;  ///< the last date it may happen on, inclusive
    std::optional<int> count;               ///< how many times in all, counted from the first date
    friend bool operator==(const repeat_rule&, const repeat_rule&) = default;
};

struct recurrence {
    date::local_days starts_on{};
    std::chrono::seconds at{0};  ///< local time of day, since midnight
    repeat_rule repeat;
    friend bool operator==(const recurrence&, const recurrence&) = default;
};

/// Calls `visit` with every date the recurrence happens on, in order, up to `last` (and its
/// own end); `visit` returns false to stop early. At most one occurrence a day, always.
void for_each_date(const recurrence& r, date::local_days last,
                   const std::function<bool(date::local_days)>& visit);

/// Whether `day` is one of the recurrence's dates.
[[nodiscard]] bool happens_on(const recurrence& r, date::local_days day);

/// Bit of an ISO weekday (1 Monday … 7 Sunday) in repeat_rule::weekdays.
[[nodiscard]] constexpr std::uint8_t weekday_bit(unsigned iso_weekday) noexcept {
    return static_cast<std::uint8_t>(1U << (iso_weekday - 1));
}

}  // namespace poki::schedule
