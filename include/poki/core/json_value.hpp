// Small pieces every `<module>_json` uses for JSON values (event data, keyed answers);
// answers themselves are written as text by poki::json_writer.
#pragma once

#include <optional>

#include <nlohmann/json.hpp>

#include "poki/core/json_writer.hpp"

namespace poki {

/// The value, or JSON null when absent (answers name every field, present or not).
template <class T>
[[nodiscard]] nlohmann::json or_null(const std::optional<T>& value) {
    return value ? nlohmann::json(*value) : nlohmann::json(nullptr);
}

/// What `write(json_writer&, const T&)` writes, as a JSON value: for event data, which is
/// rare next to reads, so each shape keeps one list of its fields (its writer).
template <class T, class Write>
[[nodiscard]] nlohmann::json json_value_of(const T& value, Write write) {
    return nlohmann::json::parse(json_text(value, write));
}

}  // namespace poki
