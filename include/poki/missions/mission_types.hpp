// Missions as the mission service hands them out.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "poki/core/paging.hpp"

namespace poki::missions {

/// assigned → submitted → approved | rejected; rejected → submitted; assigned → expired.
enum class mission_status { assigned, submitted, approved, rejected, expired };

[[nodiscard]] std::string_view to_string(mission_status s) noexcept;
[[nodiscard]] std::optional<mission_status> parse_mission_status(std::string_view text) noexcept;

struct mission {
    std::int64_t id = 0;
    std::int64_t family_id = 0;
    std::int64_t child_id = 0;
    std::int64_t created_by = 0;
    std::string title;
    std::string description;
    std::optional<std::string> tag;
    int reward = 1;                     ///< grapes
    std::optional<std::string> due_at;  ///< RFC 3339, UTC
    mission_status status = mission_status::assigned;
    std::optional<std::string> note;              ///< the child's, with the last submission
    std::optional<std::string> rejection_reason;  ///< the parent's, with the last rejection
    std::optional<std::int64_t> decided_by;
    std::string created_at;
    std::string updated_at;
    std::optional<std::string> submitted_at;
    std::optional<std::string> decided_at;
    bool overdue = false;  ///< due time passed (only meaningful while assigned)
};

struct new_mission {
    std::int64_t child_id = 0;
    std::string title;
    std::string description;
    std::optional<std::string> tag;
    int reward = 1;
    std::optional<std::string> due_at;  ///< RFC 3339, checked to lie ahead
};

/// A mission another feature makes for a family, in a batch of them.
struct assignment {
    std::int64_t family_id = 0;
    std::int64_t created_by = 0;
    new_mission mission;
};

/// Fields a parent may change while the mission is assigned or rejected. An outer nullopt
/// leaves the field alone; an inner one clears it.
struct mission_patch {
    std::optional<std::string> title;
    std::optional<std::string> description;
    std::optional<std::optional<std::string>> tag;
    std::optional<int> reward;
    std::optional<std::optional<std::string>> due_at;
};

struct mission_filter {
    std::optional<std::int64_t> child_id;
    std::optional<mission_status> status;
    std::optional<std::int64_t> before;  ///< cursor: missions with a smaller id
    int limit = 50;
};

using mission_page = page<mission>;  ///< newest first

}  // namespace poki::missions
