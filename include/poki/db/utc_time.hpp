// Timestamps read as PostgreSQL prints them. Statements select `column AT TIME ZONE 'UTC'`
// (db::utc), which PostgreSQL prints as "2026-11-25 09:30:00.123456" in the ISO DateStyle
// every connection sets; the answer's RFC 3339 text is made here. Formatting with to_char()
// in the statement instead costs PostgreSQL about a third of a list read's time.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace poki::db {

/// "<expression> AT TIME ZONE 'UTC'", for the select list.
[[nodiscard]] std::string utc(std::string_view expression);

/// "2026-11-25 09:30:00.123456" → "2026-11-25T09:30:00.123Z" (milliseconds, always three
/// digits). Throws std::runtime_error for any other shape.
[[nodiscard]] std::string rfc3339_from_utc(std::string_view text);

/// A column selected through db::utc, as RFC 3339.
template <class Field>
[[nodiscard]] std::string utc_time(const Field& f) {
    return rfc3339_from_utc(std::string_view{f.c_str(), f.size()});
}

template <class Field>
[[nodiscard]] std::optional<std::string> nullable_utc_time(const Field& f) {
    if (f.is_null()) {
        return std::nullopt;
    }
    return utc_time(f);
}

}  // namespace poki::db
