#include "poki/ideas/idea_checks.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <set>

#include <nlohmann/json.hpp>

namespace poki::ideas {
namespace {

// Compared against the text with ASCII in lower case and each run of white space as one
// space (so "KNIFE" is caught; phrases are listed with and without their space). Spaces are
// not removed: "다음 주" (next week) would read as 음주 (drinking). Korean words are chosen with
// their particles or as compounds where the bare syllable is innocent (불 is fire, but also 불고기;
// 칼 is a knife, but also 칼국수): a refused good idea costs a library answer, a passed bad one
// costs trust.
constexpr auto unsuitable_words = std::to_array<std::string_view>(
    {// English
     "knife", "knives", "blade", "razor", "scissor", "guns", "weapon", "killing", "tokill", "blood",
     "fire", "lighter", "matchstick", "candle", "stove", "oven", "alcohol", "beer", "wine", "vodka",
     "drunk", "cigarette", "smok", "vape", "drug", "pills", "medicine", "poison", "bleach", "gambl",
     "casino", "sex", "nude", "naked", "porn", "suicide", "selfharm", "self harm", "self-harm",
     "violen", "fight", "stranger", "http", "www.", "@", "<", ">",
     // Korean
     "칼로", "칼을", "칼질", "흉기", "무기", "총을", "총기", "죽이", "죽여", "자살", "자해", "술을",
     "음주", "맥주", "소주", "담배", "흡연", "마약", "약물", "약을 먹", "약을먹", "도박", "카지노",
     "성인용", "음란", "폭력", "때리", "싸움", "낯선 사람", "낯선사람", "모르는 사람", "모르는사람",
     "혼자 외출", "혼자외출", "불장난", "라이터", "성냥", "촛불", "독약", "표백제", "가스불",
     "콘센트", "ㅅㅂ"});

/// Code points of valid UTF-8 (nlohmann has already refused invalid sequences).
std::size_t code_points(std::string_view text) {
    return static_cast<std::size_t>(std::count_if(text.begin(), text.end(), [](char c) {
        return (static_cast<unsigned char>(c) & 0xC0U) != 0x80U;
    }));
}

std::string trimmed(std::string_view text) {
    const auto first = text.find_first_not_of(" \t\r\n");
    if (first == std::string_view::npos) {
        return {};
    }
    const auto last = text.find_last_not_of(" \t\r\n");
    return std::string{text.substr(first, last - first + 1)};
}

/// The JSON inside an optional ``` fence (```json … ```).
std::string_view unfenced(std::string_view content) {
    auto text = std::string_view{content};
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front())) != 0) {
        text.remove_prefix(1);
    }
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back())) != 0) {
        text.remove_suffix(1);
    }
    if (text.starts_with("```") && text.size() >= 6 && text.ends_with("```")) {
        text.remove_suffix(3);
        const auto newline = text.find('\n');
        text = newline == std::string_view::npos ? std::string_view{} : text.substr(newline + 1);
    }
    return text;
}

std::optional<drafted_idea> read_one(const nlohmann::json& item, int max_reward) {
    if (!item.is_object() || item.size() != 3) {
        return std::nullopt;
    }
    const auto title = item.find("title");
    const auto description = item.find("description");
    const auto reward = item.find("reward");
    if (title == item.end() || !title->is_string() || description == item.end() ||
        !description->is_string() || reward == item.end() || !reward->is_number_integer()) {
        return std::nullopt;
    }
    drafted_idea out{trimmed(title->get_ref<const std::string&>()),
                     trimmed(description->get_ref<const std::string&>()), 0};
    const auto r = reward->get<std::int64_t>();
    const auto chars = code_points(out.title);
    if (chars < 2 || chars > max_title_chars || out.description.empty() ||
        code_points(out.description) > max_description_chars || r < 1 ||
        r > std::min(max_idea_reward, max_reward)) {
        return std::nullopt;
    }
    out.reward = static_cast<int>(r);
    return out;
}

}  // namespace

std::string title_key(std::string_view title) {
    std::string key;
    for (const char c : title) {
        if (std::isspace(static_cast<unsigned char>(c)) == 0) {
            key.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
        }
    }
    return key;
}

bool suitable_for_children(std::string_view text) {
    if (std::any_of(text.begin(), text.end(), [](char c) {
            const auto u = static_cast<unsigned char>(c);
            return u < 0x20 || u == 0x7F;
        })) {
        return false;
    }
    std::string folded;
    for (const char c : text) {
        const auto u = static_cast<unsigned char>(c);
        if (std::isspace(u) != 0) {
            if (!folded.empty() && folded.back() != ' ') {
                folded.push_back(' ');
            }
        } else {
            folded.push_back(static_cast<char>(std::tolower(u)));
        }
    }
    return std::none_of(
        unsuitable_words.begin(), unsuitable_words.end(),
        [&](std::string_view word) { return folded.find(word) != std::string::npos; });
}

std::optional<std::vector<drafted_idea>> read_ideas(std::string_view content, int max_reward) {
    const auto doc = nlohmann::json::parse(unfenced(content), nullptr, false);
    if (!doc.is_object() || doc.size() != 1 || !doc.contains("ideas") || !doc["ideas"].is_array()) {
        return std::nullopt;
    }
    std::vector<drafted_idea> out;
    std::set<std::string> seen;
    for (const auto& item : doc["ideas"]) {
        auto one = read_one(item, max_reward);
        if (!one) {
            continue;
        }
        if (!suitable_for_children(one->title) || !suitable_for_children(one->description)) {
            return std::nullopt;  // a model that wrote one such idea is not trusted for the rest
        }
        if (seen.insert(title_key(one->title)).second && out.size() < max_ideas_per_answer) {
            out.push_back(std::move(*one));
        }
    }
    if (out.size() < min_usable_ideas) {
        return std::nullopt;
    }
    return out;
}

}  // namespace poki::ideas
