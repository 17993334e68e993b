// The notification center's pure parts: the SSE wire format, the Redis message, resume
// ids, FCM request bodies and how FCM answers are sorted, and URL parsing for the client.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "poki/http/client.hpp"
#include "poki/notify/fcm_client.hpp"
#include "poki/notify/sse_format.hpp"

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

TEST(Fcm, RequestBodyCarriesTheEventNumberAsData) {
    const auto body = nlohmann::json::parse(
        fcm_request_body({"tok:en", "Poki", "하늘 joined your family", "family.member_joined", 9}));
    const auto& m = body["message"];
    EXPECT_EQ(m["token"], "tok:en");
    EXPECT_EQ(m["notification"]["body"], "하늘 joined your family");
    EXPECT_EQ(m["data"]["seq"], "9");  // FCM data values are strings
    EXPECT_EQ(m["data"]["type"], "family.member_joined");
}

TEST(Fcm, AnswersAreSortedIntoWhatToDoNext) {
    EXPECT_EQ(classify_fcm_response(200, "", R"({"name":"x"})").outcome, fcm_outcome::sent);
    const auto unregistered = classify_fcm_response(
        404, "", R"({"error":{"status":"NOT_FOUND","details":[{"errorCode":"UNREGISTERED"}]}})");
    EXPECT_EQ(unregistered.outcome, fcm_outcome::token_invalid);
    EXPECT_EQ(unregistered.detail, "UNREGISTERED");
    EXPECT_EQ(
        classify_fcm_response(
            400, "",
            R"({"error":{"status":"INVALID_ARGUMENT","message":"The registration token is not a valid FCM registration token"}})")
            .outcome,
        fcm_outcome::token_invalid);
    EXPECT_EQ(classify_fcm_response(
                  400, "", R"({"error":{"status":"INVALID_ARGUMENT","message":"bad payload"}})")
                  .outcome,
              fcm_outcome::failed);
    EXPECT_EQ(classify_fcm_response(403, "",
                                    R"({"error":{"details":[{"errorCode":"SENDER_ID_MISMATCH"}]}})")
                  .outcome,
              fcm_outcome::token_invalid);
    const auto quota = classify_fcm_response(429, "30", "{}");
    EXPECT_EQ(quota.outcome, fcm_outcome::retry);
    EXPECT_EQ(quota.retry_after, std::chrono::seconds{30});
    EXPECT_EQ(classify_fcm_response(503, "soon", "not json").outcome, fcm_outcome::retry);
    EXPECT_FALSE(classify_fcm_response(503, "soon", "").retry_after);
    EXPECT_EQ(classify_fcm_response(500, "", "").detail, "HTTP 500");
}

TEST(HttpClient, UrlsAreParsedStrictly) {
    const auto u = http::parse_url("https://fcm.googleapis.com/v1/projects/p/messages:send");
    ASSERT_TRUE(u);
    EXPECT_TRUE(u->tls);
    EXPECT_EQ(u->host, "fcm.googleapis.com");
    EXPECT_EQ(u->port, "443");
    EXPECT_EQ(u->target, "/v1/projects/p/messages:send");
    const auto local = http::parse_url("http://127.0.0.1:8099");
    ASSERT_TRUE(local);
    EXPECT_FALSE(local->tls);
    EXPECT_EQ(local->port, "8099");
    EXPECT_EQ(local->target, "/");
    EXPECT_FALSE(http::parse_url("ftp://x/"));
    EXPECT_FALSE(http::parse_url("http:///path"));
    EXPECT_FALSE(http::parse_url("http://user:pw@host/"));
    EXPECT_FALSE(http::parse_url("http://host:80x/"));
}

}  // namespace
}  // namespace poki::notify
