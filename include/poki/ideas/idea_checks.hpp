// What a model's answer must be before a parent sees it: JSON of one exact shape, each idea
// of bounded length, no two alike, and nothing unsuitable for a child.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace poki::ideas {

struct drafted_idea {
    std::string title;
    std::string description;
    int reward = 1;
};

inline constexpr std::size_t max_title_chars = 40;
inline constexpr std::size_t max_description_chars = 200;
inline constexpr int max_idea_reward = 5;
/// An answer with fewer usable ideas than this is refused whole.
inline constexpr std::size_t min_usable_ideas = 3;
inline constexpr std::size_t max_ideas_per_answer = 10;

/// `{"ideas": [{"title", "description", "reward"}, …]}` (a ```json fence around it is
/// allowed). Ideas of another shape, too long, or repeating an earlier title are dropped;
/// the answer is refused (nullopt) when it is not that object, when any idea is unsuitable
/// for children, or when fewer than min_usable_ideas remain.
[[nodiscard]] std::optional<std::vector<drafted_idea>> read_ideas(std::string_view content,
                                                                  int max_reward);

/// False for text a children's app must not suggest: dangerous things (knives, fire,
/// medicine), adult things (alcohol, tobacco, gambling), violence, strangers, links,
/// contact details, markup and control characters.
[[nodiscard]] bool suitable_for_children(std::string_view text);

/// The form titles are compared in: without spaces, ASCII in lower case.
[[nodiscard]] std::string title_key(std::string_view title);

}  // namespace poki::ideas
