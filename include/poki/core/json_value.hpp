// Small pieces every `<module>_json` uses to build API answers.
#pragma once

#include <optional>

#include <nlohmann/json.hpp>

#include "poki/core/paging.hpp"

namespace poki {

/// The value, or JSON null when absent (answers name every field, present or not).
template <class T>
[[nodiscard]] nlohmann::json or_null(const std::optional<T>& value) {
    return value ? nlohmann::json(*value) : nlohmann::json(nullptr);
}

/// Every list's answer: {"items": [...], "next_cursor": id or null}.
template <class T, class ToJson>
[[nodiscard]] nlohmann::json page_json(const page<T>& p, ToJson to_json) {
    auto items = nlohmann::json::array();
    for (const auto& item : p.items) {
        items.push_back(to_json(item));
    }
    return {{"items", std::move(items)}, {"next_cursor", or_null(p.next_cursor)}};
}

}  // namespace poki
