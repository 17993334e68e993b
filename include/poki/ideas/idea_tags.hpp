// The tag catalog: the tags the offline library is written for, with the spellings parents
// type for them, and the rule that turns any tag text into one cache key.
#pragma once

#include <optional>
#include <span>
#include <string_view>

#include "poki/ideas/idea_types.hpp"

namespace poki::ideas {

struct catalog_tag {
    std::string_view key;                         ///< as stored in mission_ideas.tag
    std::string_view label;                       ///< Korean, as shown
    std::span<const std::string_view> spellings;  ///< Korean and English, label included
};

[[nodiscard]] std::span<const catalog_tag> tag_catalog() noexcept;

inline constexpr std::size_t max_tag_chars = 20;

/// Trims, folds ASCII to lower case and runs of spaces to one; a catalog spelling (compared
/// without spaces: "책 읽기" is "책읽기") gives its tag. Other text of letters (Hangul or
/// ASCII), digits, spaces and hyphens up to max_tag_chars is a free tag. nullopt for
/// anything else (empty, too long, punctuation, other scripts): the caller answers 422.
[[nodiscard]] std::optional<idea_tag> normalize_tag(std::string_view text);

}  // namespace poki::ideas
