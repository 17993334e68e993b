// Building SQL text: statements from parts, and PostgreSQL array literals for parameters
// (libpqxx 6 cannot pass arrays, and one statement over unnest($1::bigint[], …) replaces a
// round trip per row).
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace poki::db {

/// The parts joined: long statements written as pieces, some of them shared.
[[nodiscard]] std::string sql(std::initializer_list<std::string_view> parts);

/// A page and its access check in one statement: no row when `visible` (a boolean SQL
/// expression over the parameters) is false; otherwise the page's rows, or one row of NULLs
/// when the page is empty. So a read tells "not yours" (404) from "nothing yet" without a
/// second round trip; read the rows with scoped_rows.
[[nodiscard]] std::string scoped_page(std::string_view visible, std::string_view page_query);

/// "{1,2,3}"
[[nodiscard]] std::string int_array(std::span<const std::int64_t> values);
/// "{1,NULL,3}": a column that may be empty, one element per row.
[[nodiscard]] std::string int_array(std::span<const std::optional<std::int64_t>> values);

/// "{"a","b \"quoted\""}": every element quoted, backslashes and quotes escaped, so any
/// text (JSON, messages in any language) survives. Throws std::invalid_argument for an element
/// holding U+0000, which PostgreSQL text cannot store.
[[nodiscard]] std::string text_array(std::span<const std::string> values);
/// The same with NULL for an empty element.
[[nodiscard]] std::string text_array(std::span<const std::optional<std::string>> values);

}  // namespace poki::db
