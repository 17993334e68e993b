// Typed query parameters: a bad value is a 422 naming the parameter.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>

#include "poki/http/request_context.hpp"

namespace poki::http {

/// A whole number in [min, max]; nullopt when absent.
[[nodiscard]] std::optional<std::int64_t> integer_param(const request_context& ctx,
                                                        std::string_view name, std::int64_t min,
                                                        std::int64_t max);

/// `limit`: between 1 and `max`, `fallback` when absent.
[[nodiscard]] int limit_param(const request_context& ctx, int fallback, int max);

/// The `limit` of a list, the same for every list (core/paging.hpp).
[[nodiscard]] int page_limit(const request_context& ctx);

/// The `cursor` of a list: the next_cursor its previous page answered.
[[nodiscard]] std::optional<std::int64_t> page_cursor(const request_context& ctx);

/// A range of time from `from` and `to` (RFC 3339 with a zone): `from` defaults to now, `to`
/// to `default_length` after it; `to` must lie after `from`, at most `max_length` later.
struct time_window {
    std::chrono::sys_seconds from;
    std::chrono::sys_seconds to;
};
[[nodiscard]] time_window window_params(const request_context& ctx,
                                        std::chrono::seconds default_length,
                                        std::chrono::seconds max_length);

}  // namespace poki::http
