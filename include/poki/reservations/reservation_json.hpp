// Reservations and occurrences as the API and their events show them.
#pragma once

#include <nlohmann/json.hpp>

#include "poki/core/json_writer.hpp"
#include "poki/reservations/reservation_types.hpp"

namespace poki::reservations {

/// "active", "paused", or "finished" (no occurrence left).
[[nodiscard]] std::string_view state_of(const reservation& r) noexcept;

void write_reservation(json_writer& out, const reservation& r);
[[nodiscard]] nlohmann::json reservation_json(const reservation& r);
[[nodiscard]] nlohmann::json occurrence_json(const occurrence& o);

}  // namespace poki::reservations
