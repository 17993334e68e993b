// A Redis reply as a plain value, detached from hiredis's memory.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace poki::cache {

struct redis_reply {
    enum class kind { nil, status, error, integer, string, array };

    kind type = kind::nil;
    std::string text;  ///< string, status or error text
    std::int64_t integer = 0;
    std::vector<redis_reply> elements;

    [[nodiscard]] bool is_nil() const noexcept { return type == kind::nil; }
    [[nodiscard]] bool is_error() const noexcept { return type == kind::error; }
    /// The string value, or nullopt for nil; throws std::runtime_error for an error reply.
    [[nodiscard]] std::optional<std::string> as_optional_string() const;
    /// The integer value; throws std::runtime_error for anything else.
    [[nodiscard]] std::int64_t as_integer() const;
};

}  // namespace poki::cache
