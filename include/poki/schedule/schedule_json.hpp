// Dates, times of day and recurrences as the API reads and writes them: "2026-12-07",
// "19:00" (or "19:00:30"), and {"starts_on", "at", "repeat": {"every", "interval",
// "weekdays", "month_day", "until", "count"} | null}.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "poki/core/json_reader.hpp"
#include "poki/core/json_writer.hpp"
#include "poki/schedule/recurrence.hpp"

namespace poki::schedule {

[[nodiscard]] std::optional<date::local_days> parse_date(std::string_view text);
[[nodiscard]] std::string format_date(date::local_days day);
/// "HH:MM" or "HH:MM:SS", 00:00 to 23:59:59.
[[nodiscard]] std::optional<std::chrono::seconds> parse_time_of_day(std::string_view text);
[[nodiscard]] std::string format_time_of_day(std::chrono::seconds t);
/// "2026-12-07T19:00:00" (no zone: the family's).
[[nodiscard]] std::optional<date::local_seconds> parse_local_time(std::string_view text);
[[nodiscard]] std::string format_local_time(date::local_seconds t);

/// A required date field; nullopt (and the error recorded) when missing or malformed.
std::optional<date::local_days> read_date(json_reader& in, std::string_view field);

/// starts_on, at and repeat from `body` (the object `in` reads); problems are recorded in
/// `in`, with repeat's fields named "repeat.<field>".
[[nodiscard]] recurrence read_recurrence(json_reader& in, const nlohmann::json& body);

/// Only the "repeat" member of `body` (absent or null: once), for a first date `starts_on`.
[[nodiscard]] repeat_rule read_repeat_member(json_reader& in, const nlohmann::json& body,
                                             date::local_days starts_on);
/// A repeat rule as the API writes it; null for once.
[[nodiscard]] nlohmann::json repeat_json(const repeat_rule& rule);

/// The fields "starts_on", "at" and "repeat" into the object being written.
void write_recurrence_fields(json_writer& out, const recurrence& r);
void add_recurrence_fields(nlohmann::json& out, const recurrence& r);

}  // namespace poki::schedule
