// The one shape of a list: up to `limit` items and the cursor for the next page. Lists fetch
// limit + 1 rows and trim, so "is there more" costs no second query.
#pragma once

#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

namespace poki {

/// Every list's `limit`: this when absent, at most max_page_limit.
inline constexpr int default_page_limit = 50;
inline constexpr int max_page_limit = 200;

template <class T>
struct page {
    std::vector<T> items;
    std::optional<std::int64_t> next_cursor;  ///< pass as `cursor` for the next page
};

/// The rows to fetch for a page of `limit`.
[[nodiscard]] constexpr int rows_for_page(int limit) noexcept {
    return limit + 1;
}

/// Trims rows fetched with rows_for_page(limit); the cursor is the last kept row's key when
/// there were more.
template <class T, class KeyOf>
[[nodiscard]] page<T> page_of(std::vector<T> rows, int limit, KeyOf key_of) {
    page<T> out;
    if (std::cmp_greater(rows.size(), limit)) {
        rows.resize(static_cast<std::size_t>(limit));
        out.next_cursor = key_of(rows.back());
    }
    out.items = std::move(rows);
    return out;
}

}  // namespace poki
