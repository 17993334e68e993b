// A mission as the API and its events show it.
#pragma once

#include <nlohmann/json.hpp>

#include "poki/core/json_writer.hpp"
#include "poki/missions/mission_types.hpp"

namespace poki::missions {

/// A mission as answers show it: the one list of its fields.
void write_mission(json_writer& out, const mission& m);

/// The same as a JSON value, for event data.
[[nodiscard]] nlohmann::json mission_json(const mission& m);

}  // namespace poki::missions
