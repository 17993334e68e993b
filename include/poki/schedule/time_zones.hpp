// IANA time zones from the system's tz database (Debian's tzdata), never a fixed offset.
#pragma once

#include <chrono>
#include <date/tz.h>
#include <string_view>

namespace poki::schedule {

inline constexpr std::string_view default_time_zone = "Asia/Seoul";

/// The zone of that IANA name, or nullptr when the database does not know it.
[[nodiscard]] const date::time_zone* find_zone(std::string_view name) noexcept;

/// The instant a local time names in `zone`. As RFC 5545 reads them: a time that falls in a
/// spring-forward gap takes the offset from before the gap (02:30 becomes 03:30), a time
/// that happens twice in a fall-back is the first.
[[nodiscard]] std::chrono::sys_seconds to_instant(const date::time_zone& zone,
                                                  date::local_seconds local);

/// The zone of a name stored when it was valid; throws std::runtime_error when the tz
/// database no longer knows it.
[[nodiscard]] const date::time_zone& stored_zone(std::string_view name);

/// The local date an instant falls on in `zone`.
[[nodiscard]] date::local_days local_date(const date::time_zone& zone,
                                          std::chrono::sys_seconds instant);

[[nodiscard]] date::local_seconds to_local(const date::time_zone& zone,
                                           std::chrono::sys_seconds instant);

}  // namespace poki::schedule
