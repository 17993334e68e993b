// Family events and calendar items as the API writes them.
#pragma once

#include <nlohmann/json.hpp>

#include "poki/calendar/calendar_types.hpp"

namespace poki::calendar {

/// start/end: dates for an all-day event (end is its last day), local times otherwise.
[[nodiscard]] nlohmann::json event_json(const family_event& e);
[[nodiscard]] nlohmann::json item_json(const calendar_item& item);
[[nodiscard]] nlohmann::json view_json(const calendar_view& view);

}  // namespace poki::calendar
