// A mission as the API and its events show it.
#pragma once

#include <nlohmann/json.hpp>

#include "poki/missions/mission_types.hpp"

namespace poki::missions {

[[nodiscard]] nlohmann::json mission_json(const mission& m);

}  // namespace poki::missions
