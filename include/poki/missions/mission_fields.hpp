// The limits of a mission's own fields, shared by every form that makes missions (a mission,
// a reservation's template), so a mission made later never fails a check its form passed.
#pragma once

#include <optional>
#include <string>

#include "poki/core/json_reader.hpp"

namespace poki::missions {

inline constexpr string_rule title_rule{.min_chars = 1, .max_chars = 100};
inline constexpr string_rule description_rule{.min_chars = 0, .max_chars = 2000};
inline constexpr string_rule tag_rule{.min_chars = 1, .max_chars = 30};

/// `due_at`: RFC 3339 with a zone, still ahead; returned in UTC. Errors go to `in`.
[[nodiscard]] std::optional<std::string> read_due_at(json_reader& in);

}  // namespace poki::missions
