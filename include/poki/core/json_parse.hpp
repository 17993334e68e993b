// The one strict reader of JSON that comes from outside: every request body goes through it.
// It refuses, naming the member, what nlohmann would turn into a 500 or PostgreSQL would cut
// or refuse later: numbers no double can hold, U+0000 in any string, duplicate member names,
// nesting deeper than any route needs.
#pragma once

#include <cstddef>
#include <string_view>

#include <nlohmann/json.hpp>

namespace poki {

struct json_limits {
    std::size_t max_depth = 32;  ///< objects and arrays nested inside each other
};

/// The document, or throws poki::error: errc::bad_request for broken syntax (with the byte
/// where it broke), errc::validation_failed for well-formed JSON whose content no route can
/// take (with `field` the member's path: `text`, `items[2].name`; "" for the whole body).
/// Nothing of the text itself is echoed.
[[nodiscard]] nlohmann::json parse_untrusted_json(std::string_view text, json_limits limits = {});

}  // namespace poki
