// An instance's near copy of a pool: answers at random from it while it is fresh, counts the
// uses it served for the next read, and forgets it when told the pool is empty.
#include "poki/ideas/near_pools.hpp"

#include <set>
#include <thread>

#include <gtest/gtest.h>

namespace poki::ideas {
namespace {

std::vector<idea> pool_of(int n) {
    std::vector<idea> out;
    for (int i = 1; i <= n; ++i) {
        out.push_back({"gen-" + std::to_string(i), "reading", "책 " + std::to_string(i), "", 1});
    }
    return out;
}

std::set<std::string> ids(const std::vector<idea>& ideas) {
    std::set<std::string> out;
    for (const auto& i : ideas) {
        out.insert(i.id);
    }
    return out;
}

TEST(NearPools, RandomIdeasAreDistinctAndOverManyPicksEveryOneComes) {
    const auto pool = pool_of(8);
    std::set<std::string> seen;
    for (int i = 0; i < 200; ++i) {
        const auto five = random_ideas(pool, 5);
        ASSERT_EQ(five.size(), 5U);
        EXPECT_EQ(ids(five).size(), 5U) << "an idea twice in one answer";
        seen.merge(ids(five));
    }
    EXPECT_EQ(seen.size(), 8U);
    EXPECT_EQ(ids(random_ideas(pool_of(3), 5)).size(), 3U) << "all of a smaller pool";
    EXPECT_TRUE(random_ideas(pool_of(3), 0).empty());
}

TEST(NearPools, AFreshCopyAnswersAndItsUsesAreTakenOnce) {
    near_pools near{milliseconds{10000}};
    EXPECT_FALSE(near.pick("7-9:reading", 5)) << "nothing kept yet";
    near.keep("7-9:reading", pool_of(6));
    for (int i = 0; i < 7; ++i) {
        const auto answer = near.pick("7-9:reading", 5);
        ASSERT_TRUE(answer);
        EXPECT_EQ(answer->size(), 5U);
    }
    EXPECT_FALSE(near.pick("3-6:reading", 5)) << "another band is another pool";
    EXPECT_EQ(near.take_uses("7-9:reading"), 7);
    EXPECT_EQ(near.take_uses("7-9:reading"), 0);
    near.forget("7-9:reading");
    EXPECT_FALSE(near.pick("7-9:reading", 5));
}

TEST(NearPools, AStaleCopyIsNotUsedAndZeroKeepsNothing) {
    // Long enough that a busy machine still picks within it right after keeping.
    near_pools near{milliseconds{300}};
    near.keep("7-9:reading", pool_of(6));
    EXPECT_TRUE(near.pick("7-9:reading", 5));
    std::this_thread::sleep_for(milliseconds{320});
    EXPECT_FALSE(near.pick("7-9:reading", 5));
    EXPECT_EQ(near.take_uses("7-9:reading"), 1) << "the use before it went stale still counts";

    near_pools off{milliseconds{0}};
    off.keep("7-9:reading", pool_of(6));
    EXPECT_FALSE(off.pick("7-9:reading", 5));
}

TEST(NearPools, ACopyWhoseUsesAreNotCountedCountsNone) {
    near_pools library{milliseconds{10000}, copy_uses::not_counted};
    library.keep("7-9:*", pool_of(6));
    for (int i = 0; i < 3; ++i) {
        EXPECT_TRUE(library.pick("7-9:*", 5));
    }
    EXPECT_EQ(library.take_uses("7-9:*"), 0);
}

}  // namespace
}  // namespace poki::ideas
