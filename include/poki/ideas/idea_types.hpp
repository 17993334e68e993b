// Mission ideas: what a parent is offered for a tag and a child's age, and where it came from.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace poki::ideas {

/// Ideas are written for three ages: what a five-year-old can do is not a twelve-year-old's.
enum class age_band { preschool, early_school, late_school };  // 3–6, 7–9, 10–13

inline constexpr int youngest_age = 3;
inline constexpr int oldest_age = 13;

[[nodiscard]] std::string_view to_string(age_band band) noexcept;  ///< "3-6", "7-9", "10-13"
/// The band of a child aged youngest_age..oldest_age; nullopt outside.
[[nodiscard]] std::optional<age_band> band_of_age(int age) noexcept;

/// A tag as asked, normalised: a catalog tag (any of its Korean or English spellings gives
/// the same key) or short free text, which is only ever a key, never part of a prompt.
struct idea_tag {
    std::string key;    ///< a catalog key ("reading") or "free:" and the normalised text
    std::string label;  ///< the catalog's Korean name, or the free text
    bool known = false;
};

struct idea {
    std::string id;   ///< opaque: "lib-17" for the library's
    std::string tag;  ///< the tag key it was written for (a catalog key, or "free:…")
    std::string title;
    std::string description;
    int reward = 1;
};

struct idea_answer {
    idea_tag tag;
    age_band band = age_band::early_school;
    std::string source;  ///< "library", "cache" (a Redis pool) or "model" (written just now)
    std::vector<idea> items;
};

/// A parent's "give this one to my child".
struct idea_assignment {
    std::string idea_id;
    std::int64_t child_id = 0;
    std::optional<std::string> due_at;  ///< RFC 3339, checked to lie ahead
};

}  // namespace poki::ideas
