// core/problem: RFC 9457 problem details from errors.
#include "poki/core/problem.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "poki/core/json_reader.hpp"
#include "poki/core/request_id.hpp"

namespace poki {
namespace {

TEST(Problem, EveryCodeMapsToItsStatus) {
    const std::vector<std::pair<errc, int>> table{
        {errc::bad_request, 400},       {errc::validation_failed, 422},
        {errc::unauthorized, 401},      {errc::forbidden, 403},
        {errc::not_found, 404},         {errc::method_not_allowed, 405},
        {errc::conflict, 409},          {errc::payload_too_large, 413},
        {errc::unsupported_media, 415}, {errc::too_many_requests, 429},
        {errc::unavailable, 503},       {errc::internal, 500}};
    for (const auto& [code, status] : table) {
        EXPECT_EQ(http_status(code), status) << to_string(code);
    }
}

TEST(Problem, RendersRfc9457Members) {
    const auto p =
        to_problem(error::validation(
                       {{"email", "Must be at most 254 characters.", "too_long", {{"max", 254}}}}),
                   "req-1");
    const auto body = nlohmann::json::parse(to_json(p));
    EXPECT_EQ(body["status"], 422);
    EXPECT_EQ(body["code"], "validation_failed");
    EXPECT_EQ(body["type"], "/problems/validation-failed");
    EXPECT_EQ(body["title"], "Invalid input");
    EXPECT_EQ(body["request_id"], "req-1");
    ASSERT_EQ(body["errors"].size(), 1U);
    EXPECT_EQ(body["errors"][0]["field"], "email");
    EXPECT_EQ(body["errors"][0]["code"], "too_long");
    EXPECT_EQ(body["errors"][0]["params"]["max"], 254);
    EXPECT_EQ(body["category"], "validation_failed");
}

TEST(Problem, ASpecificReasonIsTheCodeAndTheErrcItsCategory) {
    const auto body = nlohmann::json::parse(
        to_json(to_problem(error{errc::conflict, "email_taken", "Taken."}, "r")));
    EXPECT_EQ(body["code"], "email_taken");
    EXPECT_EQ(body["category"], "conflict");
    EXPECT_EQ(body["type"], "/problems/conflict");
    EXPECT_EQ(body["status"], 409);
}

TEST(Problem, RetryAfterIsCarried) {
    const auto p = to_problem(error::too_many(std::chrono::seconds{30}, "Slow down."), "r");
    EXPECT_EQ(p.status, 429);
    ASSERT_TRUE(p.retry_after);
    EXPECT_EQ(p.retry_after->count(), 30);
}

TEST(Problem, AConflictNamesTheCurrentState) {
    const auto p = to_problem(error::conflict_in_state("Already approved.", "approved"), "r");
    EXPECT_EQ(p.status, 409);
    const auto body = nlohmann::json::parse(to_json(p));
    EXPECT_EQ(body["state"], "approved");
    EXPECT_EQ(body["code"], "wrong_state");
    EXPECT_EQ(body["category"], "conflict");
}

TEST(Problem, InternalDetailNeverLeaks) {
    const auto p = to_problem(error{errc::internal, "password=hunter2 in SQL"}, "r");
    EXPECT_EQ(p.status, 500);
    EXPECT_EQ(to_json(p).find("hunter2"), std::string::npos);
}

TEST(Problem, ResultValueThrowsTheError) {
    result<int> failed{error{errc::conflict, "Already approved."}};
    try {
        (void)failed.value();
        FAIL() << "value() did not throw";
    } catch (const error& e) {
        EXPECT_EQ(e.code(), errc::conflict);
    }
}

}  // namespace
}  // namespace poki
