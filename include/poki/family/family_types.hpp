// A family and its members as every module sees them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "poki/core/principal.hpp"

namespace poki::family {

struct member {
    std::int64_t id = 0;
    poki::role role = role::child;
    std::string display_name;
    std::string avatar_color;
};

struct family_view {
    std::int64_t id = 0;
    std::string name;
    std::string time_zone;  ///< IANA name: the family's reservations and events are in it
    std::vector<member> members;
};

/// What a parent may change of the family; nullopt leaves it alone.
struct family_patch {
    std::optional<std::string> name;
    std::optional<std::string> time_zone;  ///< a name the tz database knows (the route checked)
};

}  // namespace poki::family
