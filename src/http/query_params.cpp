#include "poki/http/query_params.hpp"

#include <charconv>
#include <limits>
#include <string>

#include "poki/core/error.hpp"
#include "poki/core/paging.hpp"
#include "poki/core/timestamp.hpp"

namespace poki::http {

std::optional<std::int64_t> integer_param(const request_context& ctx, std::string_view name,
                                          std::int64_t min, std::int64_t max) {
    const auto text = ctx.query_param(name);
    if (!text) {
        return std::nullopt;
    }
    std::int64_t value = 0;
    const auto* end = text->data() + text->size();
    const auto [ptr, ec] = std::from_chars(text->data(), end, value);
    if (text->empty() || ec != std::errc{} || ptr != end || value < min || value > max) {
        throw error::validation(
            {field_error{std::string{name},
                         "Must be a whole number between " + std::to_string(min) + " and " +
                             std::to_string(max) + ".",
                         "out_of_range",
                         {{"min", min}, {"max", max}}}});
    }
    return value;
}

int limit_param(const request_context& ctx, int fallback, int max) {
    const auto n = integer_param(ctx, "limit", 1, max);
    return n ? static_cast<int>(*n) : fallback;
}

std::optional<std::int64_t> page_cursor(const request_context& ctx) {
    return integer_param(ctx, "cursor", 1, std::numeric_limits<std::int64_t>::max());
}

int page_limit(const request_context& ctx) {
    return limit_param(ctx, default_page_limit, max_page_limit);
}

namespace {

std::chrono::sys_seconds instant_param(const request_context& ctx, std::string_view name,
                                       std::chrono::sys_seconds fallback) {
    const auto text = ctx.query_param(name);
    if (!text) {
        return fallback;
    }
    const auto parsed = parse_rfc3339(*text);
    if (!parsed) {
        throw error::validation(
            std::string{name}, "not_rfc3339",
            "Must be an RFC 3339 time with a zone, like 2026-12-01T00:00:00+09:00.");
    }
    return std::chrono::floor<std::chrono::seconds>(*parsed);
}

}  // namespace

time_window window_params(const request_context& ctx, std::chrono::seconds default_length,
                          std::chrono::seconds max_length) {
    const auto from = instant_param(ctx, "from", now_in_seconds());
    const auto to = instant_param(ctx, "to", from + default_length);
    if (to <= from) {
        throw error::validation("to", "before_from", "Must lie after from.");
    }
    if (to - from > max_length) {
        throw error::validation("to", "range_too_long", "At most a year after from.");
    }
    return {from, to};
}

}  // namespace poki::http
