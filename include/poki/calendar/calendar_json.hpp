// Family events and calendar items as the API writes them.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "poki/calendar/calendar_types.hpp"
#include "poki/core/json_writer.hpp"

namespace poki::calendar {

/// start/end: dates for an all-day event (end is its last day), local times otherwise.
[[nodiscard]] nlohmann::json event_json(const family_event& e);
void write_item(json_writer& out, const calendar_item& item);
/// The timeline's answer, written without a JSON tree (it is the calendar route's cost).
[[nodiscard]] std::string view_text(const calendar_view& view);

}  // namespace poki::calendar
