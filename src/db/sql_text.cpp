#include "poki/db/sql_text.hpp"

#include <stdexcept>

namespace poki::db {

std::string sql(std::initializer_list<std::string_view> parts) {
    std::string out;
    for (const auto p : parts) {
        out += p;
    }
    return out;
}

std::string scoped_page(std::string_view visible, std::string_view page_query) {
    return sql({"SELECT p.* FROM (SELECT ", visible, " AS visible) s LEFT JOIN LATERAL (",
                page_query, ") p ON true WHERE s.visible"});
}

namespace {

void append_int(std::string& out, std::int64_t value) {
    out += std::to_string(value);
}

void append_int(std::string& out, std::optional<std::int64_t> value) {
    out += value ? std::to_string(*value) : std::string{"NULL"};
}

void append_text(std::string& out, const std::string& value) {
    if (value.find('\0') != std::string::npos) {
        // Input validation refuses U+0000 before it gets here; a literal cut at a NUL
        // would fail a whole statement (a group of other families' rows with it).
        throw std::invalid_argument{"text_array: an element contains U+0000"};
    }
    out += '"';
    for (const char c : value) {
        if (c == '"' || c == '\\') {
            out += '\\';
        }
        out += c;
    }
    out += '"';
}

void append_text(std::string& out, const std::optional<std::string>& value) {
    if (value) {
        append_text(out, *value);
    } else {
        out += "NULL";  // unquoted: the SQL null, where "NULL" would be the word
    }
}

template <typename T, typename Append>
std::string array_literal(std::span<const T> values, Append append) {
    std::string out = "{";
    for (std::size_t i = 0; i < values.size(); ++i) {
        if (i > 0) {
            out += ',';
        }
        append(out, values[i]);
    }
    out += '}';
    return out;
}

}  // namespace

std::string int_array(std::span<const std::int64_t> values) {
    return array_literal(values, [](std::string& out, std::int64_t v) { append_int(out, v); });
}

std::string int_array(std::span<const std::optional<std::int64_t>> values) {
    return array_literal(
        values, [](std::string& out, std::optional<std::int64_t> v) { append_int(out, v); });
}

std::string text_array(std::span<const std::string> values) {
    return array_literal(values,
                         [](std::string& out, const std::string& v) { append_text(out, v); });
}

std::string text_array(std::span<const std::optional<std::string>> values) {
    return array_literal(
        values, [](std::string& out, const std::optional<std::string>& v) { append_text(out, v); });
}

}  // namespace poki::db
