// Small pieces every `<module>_json` uses to build API answers.
#pragma once

#include <optional>

#include <nlohmann/json.hpp>

namespace poki {

/// The value, or JSON null when absent (answers name every field, present or not).
template <class T>
[[nodiscard]] nlohmann::json or_null(const std::optional<T>& value) {
    return value ? nlohmann::json(*value) : nlohmann::json(nullptr);
}

}  // namespace poki
