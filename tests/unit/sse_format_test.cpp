// notify/sse_format: the SSE wire format, the Redis message and resume ids.
#include "poki/notify/sse_format.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "poki/http/client.hpp"
#include "poki/notify/fcm_client.hpp"

namespace poki::notify {
namespace {

TEST(SseFormat, EventsCommentsAndRetry) {
    EXPECT_EQ(sse_event(7, "chat.message", R"({"a":1})"),
              "id: 7\nevent: chat.message\ndata: {\"a\":1}\n\n");
    EXPECT_EQ(sse_comment("42"), ": 42\n\n");
    EXPECT_EQ(sse_retry(3000), "retry: 3000\n\n");
}

TEST(SseFormat, LiveEventsRoundTripThroughTheRedisMessage) {
    const stored_event e{5, 12, "family.member_joined", R"({"member":{"id":3}})", "t"};
    const auto message = encode_live_event(e);
    const auto decoded = decode_live_event(message);  // views into `message`
    ASSERT_TRUE(decoded);
    EXPECT_EQ(decoded->seq, 12);
    EXPECT_EQ(decoded->type, "family.member_joined");
    EXPECT_EQ(decoded->data, R"({"member":{"id":3}})");
    EXPECT_FALSE(decode_live_event("12\nx"));
    EXPECT_FALSE(decode_live_event("x\ntype\n{}"));
    EXPECT_FALSE(decode_live_event("0\ntype\n{}"));
    EXPECT_FALSE(decode_live_event("3\n\n{}"));
    EXPECT_FALSE(decode_live_event("3\nt\n{}\nid: 9"));  // would inject an SSE line
}

TEST(SseFormat, ChannelsAndResumeIds) {
    EXPECT_EQ(user_channel(42), "poki:user:42");
    EXPECT_EQ(user_of_channel("poki:user:42"), 42);
    EXPECT_FALSE(user_of_channel("poki:other:42"));
    EXPECT_FALSE(user_of_channel("poki:user:x"));
    EXPECT_EQ(parse_event_id("0"), 0);
    EXPECT_EQ(parse_event_id("9007199254740993"), 9007199254740993);
    EXPECT_FALSE(parse_event_id(""));
    EXPECT_FALSE(parse_event_id("-1"));
    EXPECT_FALSE(parse_event_id("1e3"));
    EXPECT_FALSE(parse_event_id(" 1"));
    EXPECT_FALSE(parse_event_id("99999999999999999999"));
}

}  // namespace
}  // namespace poki::notify
