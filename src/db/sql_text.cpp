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

std::string int_array(std::span<const std::int64_t> values) {
    std::string out = "{";
    for (std::size_t i = 0; i < values.size(); ++i) {
        if (i > 0) {
            out += ',';
        }
        out += std::to_string(values[i]);
    }
    out += '}';
    return out;
}

std::string text_array(std::span<const std::string> values) {
    std::string out = "{";
    for (std::size_t i = 0; i < values.size(); ++i) {
        if (i > 0) {
            out += ',';
        }
        if (values[i].find('\0') != std::string::npos) {
            // Input validation refuses U+0000 before it gets here; a literal cut at a NUL
            // would fail a whole statement (a group of other families' rows with it).
            throw std::invalid_argument{"text_array: an element contains U+0000"};
        }
        out += '"';
        for (const char c : values[i]) {
            if (c == '"' || c == '\\') {
                out += '\\';
            }
            out += c;
        }
        out += '"';
    }
    out += '}';
    return out;
}

}  // namespace poki::db
