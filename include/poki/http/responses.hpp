// Building responses: JSON, problem details, plain text.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

#include "poki/core/problem.hpp"
#include "poki/http/types.hpp"

namespace poki::http {

/// A JSON response; API answers are private to the caller, so never cached.
[[nodiscard]] response json_response(status code, const nlohmann::json& body);

/// A JSON response whose text is already written (json_writer).
[[nodiscard]] response json_text_response(status code, std::string body);

/// application/problem+json with Retry-After when the problem has one.
[[nodiscard]] response problem_response(const problem_details& p);

[[nodiscard]] response text_response(status code, std::string body, std::string_view content_type);

/// An empty response (204, 202 …).
[[nodiscard]] response empty_response(status code);

}  // namespace poki::http
