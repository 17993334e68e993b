// A family and its members as every module sees them.
#pragma once

#include <cstdint>
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
    std::vector<member> members;
};

}  // namespace poki::family
