// The idea pools in a real Redis, on a clock the test moves: every pooled idea is served over
// many picks, a use extends a pool's life up to its maximum, the LFU with decay evicts in the
// stated order, and the fill claim, the back-off and the family limit hold across calls.
#include "poki/ideas/idea_cache.hpp"

#include <set>

#include <gtest/gtest.h>

#include "support/service_stack.hpp"

namespace poki::ideas {
namespace {

class IdeaCacheTest : public ::testing::Test {
  protected:
    IdeaCacheTest() {
        cfg_.pool_size = 12;
        cfg_.max_tags = 3;
        cfg_.ttl_s = 10;
        cfg_.max_ttl_s = 30;
        cfg_.half_life_s = 10;
        cfg_.backoff_base = milliseconds{100};
        cfg_.backoff_max = milliseconds{250};
        cfg_.family_calls_per_hour = 2;
        // Redis expires keys on its own clock, so the test's clock starts beside it and
        // stands still but for the jumps the test makes (uses at "the same" time weigh the
        // same).
        cache_ = std::make_unique<idea_cache>(*stack_.redis, cfg_,
                                              [this] { return start_ms_ + offset_ms_; });
        stack_.wait_for_redis();
    }

    static idea_tag tag(const std::string& key) { return {key, key, true}; }

    static std::vector<idea> ideas(const std::string& prefix, int count) {
        std::vector<idea> out;
        out.reserve(static_cast<std::size_t>(count));
        for (int i = 0; i < count; ++i) {
            out.push_back({"gen-" + std::to_string(i + 1), prefix, prefix + " " + std::to_string(i),
                           "설명", 1});
        }
        return out;
    }

    fill_result fill(const std::string& key, int count = 6) {
        const auto made = ideas(key, count);
        return stack_.run(cache_->fill(tag(key), age_band::early_school, made));
    }

    pool_pick pick(const std::string& key) {
        return stack_.run(cache_->pick(tag(key), age_band::early_school, 5));
    }

    std::int64_t pttl(const std::string& key) {
        const auto reply = stack_.run(stack_.redis->command({"PTTL", "ideas:pool:7-9:" + key}));
        return reply.integer;
    }

    std::vector<std::string> order() {
        std::vector<std::string> out;
        for (const auto& [key, score] : stack_.run(cache_->frequencies())) {
            out.push_back(key);
        }
        return out;
    }

    test::service_stack stack_;
    ideas_config cfg_;
    std::int64_t start_ms_ = system_now_ms();
    std::int64_t offset_ms_ = 0;
    std::unique_ptr<idea_cache> cache_;
};

TEST_F(IdeaCacheTest, APickIsFiveDistinctIdeasAndOverManyPicksEveryPooledOneIsServed) {
    EXPECT_TRUE(pick("reading").ideas.empty()) << "nothing pooled yet";
    EXPECT_EQ(fill("reading", 12).size, 12);
    std::set<std::string> seen;
    for (int i = 0; i < 60; ++i) {
        const auto p = pick("reading");
        ASSERT_EQ(p.ideas.size(), 5U);
        std::set<std::string> once;
        for (const auto& one : p.ideas) {
            once.insert(one.title);
            seen.insert(one.title);
        }
        EXPECT_EQ(once.size(), 5U) << "no idea twice in one answer";
    }
    EXPECT_EQ(seen.size(), 12U);

    // A pool keeps pool_size ideas at most; a title already there is not added again.
    EXPECT_EQ(fill("reading", 12).size, 12);
    const auto more = ideas("other", 4);
    EXPECT_EQ(stack_.run(cache_->fill(tag("reading"), age_band::early_school, more)).size, 12);
}

TEST_F(IdeaCacheTest, EachUseExtendsThePoolsLifeButNeverPastItsMaximum) {
    fill("reading");
    EXPECT_NEAR(pttl("reading"), 10000, 500);
    offset_ms_ = 5000;
    ASSERT_FALSE(pick("reading").ideas.empty());
    EXPECT_NEAR(pttl("reading"), 15000, 500) << "five seconds later, ten more from now";
    offset_ms_ = 25000;
    ASSERT_FALSE(pick("reading").ideas.empty());
    EXPECT_NEAR(pttl("reading"), 30000, 500) << "capped at thirty seconds after the first fill";
    offset_ms_ = 31000;
    EXPECT_FALSE(pick("reading").ideas.empty()) << "the last answer from the old pool";
    EXPECT_TRUE(pick("reading").ideas.empty()) << "past its maximum the pool is gone";
    EXPECT_EQ(fill("reading").size, 6) << "and a fill starts a new one";
    EXPECT_NEAR(pttl("reading"), 31000 + 10000, 500) << "(on Redis's clock, 31 s behind)";
}

TEST_F(IdeaCacheTest, TheLeastFrequentlyUsedTagGoesAndOldUsesCountLessThanNewOnes) {
    // Scores at the start (t = 0): a fill counts one use, each read that finds ideas one.
    fill("reading");  // 1 + 9 reads = 10
    for (int i = 0; i < 9; ++i) {
        pick("reading");
    }
    fill("tidying");  // 1 + 2 reads = 3
    pick("tidying");
    pick("tidying");
    EXPECT_EQ(order(), (std::vector<std::string>{"tidying", "reading"}));

    // Four half-lives later one use weighs 2^4 = 16 of the old ones.
    offset_ms_ = 40000;
    fill("reading");  // the pool expired meanwhile; refilling keeps its frequency: 10 + 16
    fill("music");    // 16
    EXPECT_EQ(order(), (std::vector<std::string>{"tidying", "music", "reading"}));
    const auto fourth = fill("art");  // a fourth tag: the lowest other than itself goes
    EXPECT_EQ(fourth.evicted, (std::vector<std::string>{"tidying"}));
    EXPECT_TRUE(pick("tidying").ideas.empty());
    EXPECT_EQ(order(), (std::vector<std::string>{"art", "music", "reading"}));

    // Reading was hot long ago (10 then) plus one fill now (16): 26 against music's 16 and
    // art's 16. A month's quiet later, two fresh uses of a new tag outweigh all of it.
    offset_ms_ = 40000 + 100000;  // ten more half-lives: 2^14 per use now
    const auto science = fill("science");
    ASSERT_EQ(science.evicted.size(), 1U);
    EXPECT_EQ(science.evicted[0], "art") << "the lowest (a tie with music goes by name)";
    pick("science");
    const auto cooking = fill("cooking");
    ASSERT_EQ(cooking.evicted.size(), 1U);
    EXPECT_EQ(cooking.evicted[0], "music");
    const auto nature = fill("nature");
    ASSERT_EQ(nature.evicted.size(), 1U);
    EXPECT_EQ(nature.evicted[0], "reading")
        << "the tag that was hottest long ago does not stay forever";
    EXPECT_EQ(order(), (std::vector<std::string>{"cooking", "nature", "science"}));
}

TEST_F(IdeaCacheTest, AFillOfANewTagNeverEvictsItselfEvenWithTheLowestScore) {
    for (const auto* key : {"reading", "tidying", "music"}) {
        fill(key);
        for (int i = 0; i < 5; ++i) {
            pick(key);
        }
    }
    const auto newcomer = fill("art");
    ASSERT_EQ(newcomer.evicted.size(), 1U);
    EXPECT_NE(newcomer.evicted[0], "art");
    EXPECT_FALSE(pick("art").ideas.empty());
}

TEST_F(IdeaCacheTest, OneClaimAtATimeBackOffGrowsAndAFamilyHasItsHourlyCalls) {
    const auto first =
        stack_.run(cache_->claim(tag("reading"), age_band::early_school, milliseconds{5000}));
    ASSERT_TRUE(first);
    EXPECT_FALSE(
        stack_.run(cache_->claim(tag("reading"), age_band::early_school, milliseconds{5000})));
    EXPECT_TRUE(pick("reading").filling) << "a miss sees that someone is filling";
    stack_.run(cache_->release(tag("reading"), age_band::early_school, "someone else's"));
    EXPECT_TRUE(pick("reading").filling) << "only the holder's token releases";
    stack_.run(cache_->release(tag("reading"), age_band::early_school, *first));
    EXPECT_FALSE(pick("reading").filling);
    EXPECT_TRUE(
        stack_.run(cache_->claim(tag("reading"), age_band::early_school, milliseconds{5000})));

    EXPECT_FALSE(stack_.run(cache_->backing_off()));
    EXPECT_EQ(stack_.run(cache_->record_failure()), milliseconds{100});
    EXPECT_TRUE(stack_.run(cache_->backing_off()));
    EXPECT_EQ(stack_.run(cache_->record_failure()), milliseconds{200});
    EXPECT_EQ(stack_.run(cache_->record_failure()), milliseconds{250}) << "capped";
    stack_.run(cache_->record_success());
    EXPECT_EQ(stack_.run(cache_->record_failure()), milliseconds{100}) << "a success resets";

    EXPECT_TRUE(stack_.run(cache_->allow_family_call(7)));
    EXPECT_TRUE(stack_.run(cache_->allow_family_call(7)));
    EXPECT_FALSE(stack_.run(cache_->allow_family_call(7)));
    EXPECT_TRUE(stack_.run(cache_->allow_family_call(8))) << "another family's own count";
}

}  // namespace
}  // namespace poki::ideas
