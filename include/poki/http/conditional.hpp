// Conditional requests (RFC 9110 §13): whether a client's cached copy is still current.
#pragma once

#include <string_view>

namespace poki::http {

/// An If-None-Match header value against an ETag (weak comparison, a list, or `*`).
[[nodiscard]] bool etag_matches(std::string_view if_none_match, std::string_view etag) noexcept;

}  // namespace poki::http
