#include "poki/ideas/idea_tags.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <string>

namespace poki::ideas {
namespace {

using namespace std::string_view_literals;

// Every spelling is stored as normalize_tag compares it: lower case, without spaces.
constexpr std::array reading{"독서"sv,    "책"sv,   "책읽기"sv, "읽기"sv,
                             "reading"sv, "read"sv, "books"sv,  "book"sv};
constexpr std::array tidying{"정리정돈"sv, "정리"sv,   "정돈"sv,       "방정리"sv,    "tidying"sv,
                             "tidy"sv,     "tidyup"sv, "organizing"sv, "organising"sv};
constexpr std::array exercise{"운동"sv,   "체육"sv,  "스포츠"sv, "exercise"sv,
                              "sports"sv, "sport"sv, "workout"sv};
constexpr std::array chores{"집안일"sv, "가사"sv, "심부름"sv, "chores"sv, "chore"sv, "housework"sv};
constexpr std::array hygiene{"위생"sv, "씻기"sv, "양치"sv, "청결"sv, "hygiene"sv, "washing"sv};
constexpr std::array study{"공부"sv, "학습"sv, "숙제"sv, "study"sv, "homework"sv, "learning"sv};
constexpr std::array art{"미술"sv, "그리기"sv,  "그림"sv,  "만들기"sv,
                         "art"sv,  "drawing"sv, "crafts"sv};
constexpr std::array music{"음악"sv, "악기"sv, "노래"sv, "music"sv, "singing"sv, "instrument"sv};
constexpr std::array kindness{"배려"sv, "친절"sv, "예절"sv, "인성"sv, "kindness"sv, "manners"sv};
constexpr std::array cooking{"요리"sv, "요리하기"sv, "cooking"sv, "cook"sv};
constexpr std::array nature{"자연"sv, "환경"sv, "식물"sv, "nature"sv, "environment"sv, "plants"sv};
constexpr std::array science{"과학"sv,    "실험"sv,       "탐구"sv,
                             "science"sv, "experiment"sv, "experiments"sv};
constexpr std::array money{"경제"sv,  "용돈"sv,   "저축"sv,     "돈"sv,
                           "money"sv, "saving"sv, "allowance"sv};
constexpr std::array family{"가족"sv, "효도"sv, "family"sv};
constexpr std::array health{"건강"sv,   "식습관"sv, "수면"sv,
                            "health"sv, "sleep"sv,  "healthyeating"sv};
constexpr std::array habits{"생활습관"sv, "습관"sv, "자립"sv, "habits"sv, "habit"sv, "routine"sv};

constexpr std::array catalog{
    catalog_tag{"reading", "독서", reading},   catalog_tag{"tidying", "정리정돈", tidying},
    catalog_tag{"exercise", "운동", exercise}, catalog_tag{"chores", "집안일", chores},
    catalog_tag{"hygiene", "위생", hygiene},   catalog_tag{"study", "공부", study},
    catalog_tag{"art", "미술", art},           catalog_tag{"music", "음악", music},
    catalog_tag{"kindness", "배려", kindness}, catalog_tag{"cooking", "요리", cooking},
    catalog_tag{"nature", "자연", nature},     catalog_tag{"science", "과학", science},
    catalog_tag{"money", "경제", money},       catalog_tag{"family", "가족", family},
    catalog_tag{"health", "건강", health},     catalog_tag{"habits", "생활습관", habits},
};

/// The code point at `at` and its length in bytes; nullopt for bytes that are not UTF-8.
std::optional<std::pair<char32_t, std::size_t>> decode(std::string_view text, std::size_t at) {
    const auto lead = static_cast<unsigned char>(text[at]);
    std::size_t length = 0;
    char32_t cp = 0;
    if (lead < 0x80) {
        return std::pair{static_cast<char32_t>(lead), std::size_t{1}};
    }
    if ((lead & 0xE0) == 0xC0) {
        length = 2;
        cp = lead & 0x1F;
    } else if ((lead & 0xF0) == 0xE0) {
        length = 3;
        cp = lead & 0x0F;
    } else if ((lead & 0xF8) == 0xF0) {
        length = 4;
        cp = lead & 0x07;
    } else {
        return std::nullopt;
    }
    if (at + length > text.size()) {
        return std::nullopt;
    }
    for (std::size_t i = 1; i < length; ++i) {
        const auto next = static_cast<unsigned char>(text[at + i]);
        if ((next & 0xC0) != 0x80) {
            return std::nullopt;
        }
        cp = (cp << 6) | (next & 0x3F);
    }
    return std::pair{cp, length};
}

bool is_hangul(char32_t cp) {
    return (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0x3131 && cp <= 0x318E);
}

bool is_ascii_word(char32_t cp) {
    return (cp >= 'a' && cp <= 'z') || (cp >= '0' && cp <= '9') || cp == '-';
}

}  // namespace

std::span<const catalog_tag> tag_catalog() noexcept {
    return catalog;
}

std::optional<idea_tag> normalize_tag(std::string_view text) {
    std::string folded;    // lower case, one space between words
    std::string compared;  // the same without spaces
    std::size_t chars = 0;
    for (std::size_t at = 0; at < text.size();) {
        const auto decoded = decode(text, at);
        if (!decoded) {
            return std::nullopt;
        }
        auto [cp, length] = *decoded;
        if (cp >= 'A' && cp <= 'Z') {
            cp = cp - 'A' + 'a';
        }
        if (cp == ' ' || cp == '\t') {
            if (!folded.empty() && folded.back() != ' ') {
                folded += ' ';
            }
        } else if (is_ascii_word(cp) || is_hangul(cp)) {
            const auto piece = cp < 0x80 ? std::string(1, static_cast<char>(cp))
                                         : std::string{text.substr(at, length)};
            folded += piece;
            compared += piece;
        } else {
            return std::nullopt;
        }
        at += length;
    }
    while (!folded.empty() && folded.back() == ' ') {
        folded.pop_back();
    }
    // Counted after folding, so spaces around the text do not count.
    for (const char c : folded) {
        chars += (static_cast<unsigned char>(c) & 0xC0) != 0x80 ? 1 : 0;
    }
    if (compared.empty() || chars > max_tag_chars) {
        return std::nullopt;
    }
    for (const auto& tag : catalog) {
        if (std::find(tag.spellings.begin(), tag.spellings.end(), compared) !=
            tag.spellings.end()) {
            return idea_tag{std::string{tag.key}, std::string{tag.label}, true};
        }
    }
    return idea_tag{"free:" + compared, folded, false};
}

}  // namespace poki::ideas
