#include "poki/gifts/search_cache.hpp"

#include <gtest/gtest.h>

namespace poki::gifts {
namespace {

gift_query words(std::string text) {
    gift_query q;
    q.text = std::move(text);
    return q;
}

gift_page one_gift_page(std::int64_t id) {
    gift_page p;
    p.items.push_back(gift{});
    p.items.back().id = id;
    return p;
}

TEST(SearchCache, AnswersAKeptQueryAndOnlyThatQuery) {
    search_cache cache{8, std::chrono::seconds{60}};
    EXPECT_FALSE(cache.find(words("공룡")));
    cache.store(words("공룡"), one_gift_page(7));
    const auto kept = cache.find(words("공룡"));
    ASSERT_TRUE(kept);
    EXPECT_EQ(kept->items.at(0).id, 7);

    auto other_page = words("공룡");
    other_page.offset = 20;
    EXPECT_FALSE(cache.find(other_page));
    auto other_sort = words("공룡");
    other_sort.sort = gift_sort::price_asc;
    EXPECT_FALSE(cache.find(other_sort));
    gift_query category_only;
    category_only.category = "공룡";  // the same text in another field is another query
    EXPECT_FALSE(cache.find(category_only));
    EXPECT_EQ(cache.hits(), 1U);
    EXPECT_EQ(cache.misses(), 4U);
}

TEST(SearchCache, ForgetsAnswersPastTheirTime) {
    search_cache cache{8, std::chrono::seconds{0}};
    cache.store(words("레고"), one_gift_page(1));
    EXPECT_FALSE(cache.find(words("레고")));
}

TEST(SearchCache, TheLeastRecentlyUsedGoesWhenFull) {
    search_cache cache{2, std::chrono::seconds{60}};
    cache.store(words("a"), one_gift_page(1));
    cache.store(words("b"), one_gift_page(2));
    ASSERT_TRUE(cache.find(words("a")));  // "b" is now the least recently used
    cache.store(words("c"), one_gift_page(3));
    EXPECT_TRUE(cache.find(words("a")));
    EXPECT_FALSE(cache.find(words("b")));
    EXPECT_TRUE(cache.find(words("c")));
}

}  // namespace
}  // namespace poki::gifts
