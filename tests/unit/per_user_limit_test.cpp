// Places per user: refused at the maximum, given back when a place ends.
#include "poki/core/per_user_limit.hpp"

#include <gtest/gtest.h>

namespace poki {
namespace {

TEST(PerUserLimit, RefusesPastTheMaximumAndTakesPlacesBack) {
    per_user_limit limit{2};
    auto first = limit.reserve(1);
    auto second = limit.reserve(1);
    ASSERT_TRUE(first);
    ASSERT_TRUE(second);
    EXPECT_FALSE(limit.reserve(1));
    EXPECT_TRUE(limit.reserve(2)) << "another user has places of their own";
    {
        auto moved = std::move(*first);
        first.reset();  // a moved-from place gives nothing back
        EXPECT_FALSE(limit.reserve(1));
    }
    EXPECT_TRUE(limit.reserve(1));
}

}  // namespace
}  // namespace poki
