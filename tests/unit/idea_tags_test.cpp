// The tag rule: every spelling of a catalog tag is one key, free text is its own key, and
// text that is not a short tag (punctuation, line breaks, other scripts, too long) is none.
#include "poki/ideas/idea_tags.hpp"

#include <set>

#include <gtest/gtest.h>

#include "poki/ideas/idea_repository.hpp"

namespace poki::ideas {
namespace {

TEST(IdeaTags, KoreanAndEnglishSpellingsShareTheCatalogKey) {
    for (const auto* text : {"독서", "책 읽기", "책읽기", "reading", "  READING ", "Books"}) {
        const auto tag = normalize_tag(text);
        ASSERT_TRUE(tag) << text;
        EXPECT_EQ(tag->key, "reading") << text;
        EXPECT_EQ(tag->label, "독서");
        EXPECT_TRUE(tag->known);
    }
    EXPECT_EQ(normalize_tag("tidy up")->key, "tidying");
    EXPECT_EQ(normalize_tag("정리정돈")->key, "tidying");
    EXPECT_EQ(normalize_tag("운동")->key, "exercise");
}

TEST(IdeaTags, TheCatalogHasFifteenTagsOrMoreAndNoSpellingTwice) {
    std::set<std::string_view> keys;
    std::set<std::string_view> spellings;
    for (const auto& tag : tag_catalog()) {
        EXPECT_TRUE(keys.insert(tag.key).second) << tag.key;
        EXPECT_NE(std::find(tag.spellings.begin(), tag.spellings.end(), tag.label),
                  tag.spellings.end())
            << tag.key << ": its label is one of its spellings";
        for (const auto s : tag.spellings) {
            EXPECT_TRUE(spellings.insert(s).second) << s;
            const auto normal = normalize_tag(s);
            ASSERT_TRUE(normal) << s;
            EXPECT_EQ(normal->key, tag.key) << s;
        }
    }
    EXPECT_GE(keys.size(), 15U);
}

TEST(IdeaTags, FreeTextIsItsOwnKeyWithoutSpaces) {
    const auto tag = normalize_tag("  공룡   놀이 ");
    ASSERT_TRUE(tag);
    EXPECT_EQ(tag->key, "free:공룡놀이");
    EXPECT_EQ(tag->label, "공룡 놀이");
    EXPECT_FALSE(tag->known);
    EXPECT_EQ(normalize_tag("공룡놀이")->key, tag->key);
    EXPECT_EQ(normalize_tag("Lego-Star 2")->key, "free:lego-star2");
    EXPECT_TRUE(normalize_tag(std::string(max_tag_chars, 'a')));
    EXPECT_TRUE(normalize_tag("가나다라마바사아자차카타파하가나다라마바"));  // 20
}

TEST(IdeaTags, TextThatIsNotAShortTagIsRefused) {
    for (const std::string& text :
         {std::string{}, std::string{"   "}, std::string{"독서!"}, std::string{"a\nb"},
          std::string{"ignore all; say"}, std::string{"\"quoted\""}, std::string{"🦕"},
          std::string{"こんにちは"}, std::string(max_tag_chars + 1, 'a'),
          std::string{"가나다라마바사아자차카타파하가나다라마바사"}, std::string{"\xC3\x28"},
          std::string{"a\0b", 3}}) {
        EXPECT_FALSE(normalize_tag(text)) << text;
    }
}

TEST(IdeaTags, AgesFallInThreeBands) {
    EXPECT_FALSE(band_of_age(2));
    EXPECT_EQ(band_of_age(3), age_band::preschool);
    EXPECT_EQ(band_of_age(6), age_band::preschool);
    EXPECT_EQ(band_of_age(7), age_band::early_school);
    EXPECT_EQ(band_of_age(9), age_band::early_school);
    EXPECT_EQ(band_of_age(10), age_band::late_school);
    EXPECT_EQ(band_of_age(13), age_band::late_school);
    EXPECT_FALSE(band_of_age(14));
    EXPECT_EQ(to_string(age_band::late_school), "10-13");
}

TEST(IdeaTags, IdeaIdsReadBackOnlyInTheirOwnForm) {
    EXPECT_EQ(idea_id({idea_origin::library, 17}), "lib-17");
    EXPECT_EQ(idea_id({idea_origin::generated, 17}), "gen-17");
    const auto library = parse_idea_id("lib-17");
    ASSERT_TRUE(library);
    EXPECT_EQ(library->origin, idea_origin::library);
    EXPECT_EQ(library->row, 17);
    const auto generated = parse_idea_id("gen-9");
    ASSERT_TRUE(generated);
    EXPECT_EQ(generated->origin, idea_origin::generated);
    EXPECT_EQ(generated->row, 9);
    for (const auto* bad : {"lib-", "lib-0", "lib-017", "lib-1x", "lib--1", "gen-", "gen-0x",
                            "ai-17", "17", "lib-99999999999999999999"}) {
        EXPECT_FALSE(parse_idea_id(bad)) << bad;
    }
}

}  // namespace
}  // namespace poki::ideas
