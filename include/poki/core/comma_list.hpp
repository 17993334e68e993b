// Settings and headers written as "a, b ,c": one way to split them.
#pragma once

#include <string_view>
#include <vector>

namespace poki {

/// Without leading and trailing spaces and tabs.
[[nodiscard]] inline std::string_view trim_blanks(std::string_view s) noexcept {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
        s.remove_prefix(1);
    }
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) {
        s.remove_suffix(1);
    }
    return s;
}

/// The entries between commas, trimmed; empty ones left out.
[[nodiscard]] inline std::vector<std::string_view> comma_list(std::string_view text) {
    std::vector<std::string_view> out;
    while (!text.empty()) {
        const auto comma = text.find(',');
        if (const auto entry = trim_blanks(text.substr(0, comma)); !entry.empty()) {
            out.push_back(entry);
        }
        text = comma == std::string_view::npos ? std::string_view{} : text.substr(comma + 1);
    }
    return out;
}

}  // namespace poki
