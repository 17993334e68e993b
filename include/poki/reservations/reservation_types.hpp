// Reservations as the reservation service hands them out: a mission template and when its
// missions appear, in the family's local time.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "poki/core/paging.hpp"
#include "poki/schedule/recurrence.hpp"

namespace poki::reservations {

/// What each mission made from a reservation is.
struct mission_template {
    std::int64_t child_id = 0;
    std::string title;
    std::string description;
    std::optional<std::string> tag;
    int reward = 1;
    std::optional<int>
        due_minutes;  ///< the child has this long from the occurrence; none: no due time
};

struct reservation {
    std::int64_t id = 0;
    std::int64_t family_id = 0;
    std::int64_t created_by = 0;
    mission_template mission;
    schedule::recurrence when;
    bool paused = false;
    std::chrono::sys_seconds cursor{};   ///< occurrences at or before this instant are done with
    std::optional<std::string> next_at;  ///< RFC 3339, the next occurrence to become a mission
    std::string created_at;
    std::string updated_at;
    std::string time_zone;  ///< the family's, read with it
};

/// One occurrence's record, once something happened to it (or a parent changed it ahead).
enum class occurrence_state { activated, missed, skipped, moved };

[[nodiscard]] std::string_view to_string(occurrence_state s) noexcept;
[[nodiscard]] std::optional<occurrence_state> parse_occurrence_state(
    std::string_view text) noexcept;

struct occurrence_record {
    date::local_days on_date{};  ///< the date the rule gives it: its identity
    occurrence_state state = occurrence_state::skipped;
    std::optional<date::local_seconds> moved_to;  ///< where a moved one happens instead
    std::optional<std::int64_t> mission_id;       ///< the mission it became
};

/// An occurrence as GET …/occurrences lists it.
struct occurrence {
    date::local_days on_date{};
    date::local_seconds local_at{};
    std::chrono::sys_seconds at{};
    std::optional<occurrence_state> state;  ///< nullopt: still ahead
    bool moved = false;
    std::optional<std::int64_t> mission_id;
};

struct new_reservation {
    mission_template mission;
    schedule::recurrence when;
};

/// Fields a parent may change. An outer nullopt leaves the field alone; an inner one clears
/// it. A new `when` applies to occurrences from now on; what already happened stays.
struct reservation_patch {
    std::optional<std::string> title;
    std::optional<std::string> description;
    std::optional<std::optional<std::string>> tag;
    std::optional<int> reward;
    std::optional<std::optional<int>> due_minutes;
    std::optional<schedule::recurrence> when;
};

/// What a parent does to one occurrence ahead.
struct occurrence_change {
    date::local_days on_date{};
    std::optional<date::local_seconds> move_to;  ///< nullopt: skip it
};

using reservation_page = page<reservation>;  ///< newest first

}  // namespace poki::reservations
