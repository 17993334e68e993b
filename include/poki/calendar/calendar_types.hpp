// Family events and the family calendar as the calendar service hands them out. Events keep
// local dates and times in the family's zone, like reservations.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "poki/schedule/recurrence.hpp"

namespace poki::calendar {

struct family_event {
    std::int64_t id = 0;
    std::int64_t family_id = 0;
    std::int64_t created_by = 0;
    std::string title;
    std::string note;
    std::optional<std::string> location;
    bool all_day = false;
    /// The first occurrence's local start and (exclusive) end; an all-day event runs from
    /// its first day's midnight to the midnight after its last day.
    date::local_seconds starts{};
    date::local_seconds ends{};
    schedule::repeat_rule repeat;
    std::vector<std::int64_t> member_ids;  ///< empty: the whole family
    std::string time_zone;                 ///< the family's, read with it
    std::string created_at;
    std::string updated_at;
    std::chrono::sys_seconds updated{};  ///< the same, for DTSTAMP

    [[nodiscard]] schedule::recurrence when() const {
        const auto day = date::floor<date::days>(starts);
        return {day, starts - day, repeat};
    }
    [[nodiscard]] bool is_for(std::int64_t user_id) const;
};

struct new_event {
    std::string title;
    std::string note;
    std::optional<std::string> location;
    bool all_day = false;
    date::local_seconds starts{};
    date::local_seconds ends{};
    schedule::repeat_rule repeat;
    std::vector<std::int64_t> member_ids;
};

/// When an event happens: all day (dates) or timed (local times), end exclusive.
struct event_time {
    bool all_day = false;
    date::local_seconds starts{};
    date::local_seconds ends{};
};

/// Fields a parent may change; an outer nullopt leaves the field alone, an inner one clears it.
struct event_change {
    std::optional<std::string> title;
    std::optional<std::string> note;
    std::optional<std::optional<std::string>> location;
    std::optional<event_time> time;
    std::optional<schedule::repeat_rule> repeat;
    std::optional<std::vector<std::int64_t>> member_ids;
};

enum class item_kind { event, mission, reservation, gift_day };
[[nodiscard]] std::string_view to_string(item_kind k) noexcept;

/// One entry of the calendar's timeline.
struct calendar_item {
    item_kind kind = item_kind::event;
    std::int64_t id = 0;  ///< the event's, mission's, reservation's or board's
    std::optional<std::int64_t> child_id;
    std::string title;
    std::chrono::sys_seconds start{};
    std::optional<std::chrono::sys_seconds> end;
    bool all_day = false;
    std::optional<date::local_seconds> local_start;  ///< events and reservations
    std::optional<date::local_seconds> local_end;
    std::optional<date::local_days> on_date;  ///< an occurrence's identity
    std::optional<std::string> location;      ///< events
    std::vector<std::int64_t> member_ids;     ///< events; empty: everyone
    std::optional<std::string> status;        ///< missions
    std::optional<int> reward;                ///< missions and reservations
    bool moved = false;                       ///< reservations
};

struct calendar_view {
    std::string time_zone;
    std::vector<calendar_item> items;  ///< by start
    bool truncated = false;            ///< more than the limit fell in the range
};

/// A feed as served: the iCalendar text and its validator.
struct feed {
    std::string body;
    std::string etag;
};

}  // namespace poki::calendar
