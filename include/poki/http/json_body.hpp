// Request bodies as JSON: read once, strictly, before any route runs, so that no route can
// meet a body that would break it (numbers no double holds, U+0000, absurd nesting).
#pragma once

#include <nlohmann/json.hpp>

#include "poki/http/request_context.hpp"

namespace poki::http {

/// Called by the dispatcher for every request: a non-empty body sent as JSON is parsed into
/// ctx.json. Throws poki::error (bad_request, validation_failed) when it cannot be taken.
void parse_json_body(request_context& ctx);

/// The body a route needs as JSON. Throws poki::error: unsupported_media for another media
/// type, bad_request for an empty body.
[[nodiscard]] const nlohmann::json& read_json_body(const request_context& ctx);

}  // namespace poki::http
