#include "poki/missions/mission_fields.hpp"

#include <chrono>

#include "poki/core/timestamp.hpp"

namespace poki::missions {

std::optional<std::string> read_due_at(json_reader& in) {
    const auto text = in.optional_string("due_at", {.min_chars = 1, .max_chars = 40});
    if (!text) {
        return std::nullopt;
    }
    const auto parsed = parse_rfc3339(*text);
    if (!parsed) {
        in.add_error("due_at", "not_rfc3339",
                     "Must be an RFC 3339 time with a zone, like 2026-12-24T18:00:00+09:00.");
        return std::nullopt;
    }
    if (*parsed <= std::chrono::system_clock::now()) {
        in.add_error("due_at", "in_the_past", "Must lie in the future.");
        return std::nullopt;
    }
    return format_rfc3339(*parsed);
}

}  // namespace poki::missions
