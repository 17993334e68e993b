// Turns a request body into JSON: 415 for another media type, 400 for malformed JSON.
#pragma once

#include <nlohmann/json.hpp>

#include "poki/http/request_context.hpp"

namespace poki::http {

/// Throws poki::error (unsupported_media, bad_request) when the body is not usable JSON.
[[nodiscard]] nlohmann::json read_json_body(const request_context& ctx);

}  // namespace poki::http
