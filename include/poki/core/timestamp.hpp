// RFC 3339 timestamps as the API accepts and returns them.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace poki {

using timestamp = std::chrono::sys_time<std::chrono::milliseconds>;

/// "2026-11-25T09:30:00Z", "2026-11-25T18:30:00.250+09:00": date, 'T', time, optional
/// fraction, and a zone ('Z' or ±HH:MM) that must be there. Anything else is nullopt.
[[nodiscard]] std::optional<timestamp> parse_rfc3339(std::string_view text);

/// UTC with milliseconds: "2026-11-25T09:30:00.000Z".
[[nodiscard]] std::string format_rfc3339(timestamp t);

/// Now, to the whole second: what schedules, ranges and expiries compare against.
[[nodiscard]] inline std::chrono::sys_seconds now_in_seconds() {
    return std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
}

}  // namespace poki
