// A family member as the apps see it, the same in API answers and in event data.
#pragma once

#include <nlohmann/json.hpp>

#include "poki/family/family_types.hpp"

namespace poki::family {

[[nodiscard]] nlohmann::json member_json(const member& m);

}  // namespace poki::family
