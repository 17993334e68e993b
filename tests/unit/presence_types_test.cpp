// Presence changes as instances pass them to each other through Redis.
#include "poki/presence/presence_types.hpp"

#include <gtest/gtest.h>

namespace poki::presence {
namespace {

TEST(PresenceChange, SurvivesTheTripThroughRedis) {
    const presence_change offline{7,
                                  {42, false, timestamp{std::chrono::milliseconds{1700000000123}}}};
    const auto back = decode_change(encode_change(offline));
    ASSERT_TRUE(back);
    EXPECT_EQ(back->family_id, 7);
    EXPECT_EQ(back->member.user_id, 42);
    EXPECT_FALSE(back->member.online);
    EXPECT_EQ(back->member.last_seen, offline.member.last_seen);

    const auto online = decode_change(encode_change({7, {42, true, std::nullopt}}));
    ASSERT_TRUE(online);
    EXPECT_TRUE(online->member.online);
    EXPECT_FALSE(online->member.last_seen);
    EXPECT_EQ(presence_channel(7), "poki:presence:7");
}

TEST(PresenceChange, NoiseIsIgnored) {
    EXPECT_FALSE(decode_change(""));
    EXPECT_FALSE(decode_change("{not json"));
    EXPECT_FALSE(decode_change(R"({"v":2,"family_id":1,"user_id":2,"online":true})"));
    EXPECT_FALSE(decode_change(R"({"v":1,"family_id":"1","user_id":2,"online":true})"));
    EXPECT_FALSE(decode_change(R"({"v":1,"family_id":1,"user_id":2,"online":1})"));
    EXPECT_FALSE(decode_change(R"([1,2,3])"));
}

}  // namespace
}  // namespace poki::presence
