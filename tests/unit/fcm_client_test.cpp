// notify/fcm_client: FCM request bodies and how FCM answers are sorted.
#include "poki/notify/fcm_client.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "poki/http/client.hpp"
#include "poki/notify/sse_format.hpp"

namespace poki::notify {
namespace {

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

}  // namespace
}  // namespace poki::notify
