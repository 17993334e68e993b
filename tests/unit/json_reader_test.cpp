// core/json_reader: field rules, every problem collected, UTF-8 lengths.
#include "poki/core/json_reader.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "poki/core/problem.hpp"
#include "poki/core/request_id.hpp"

namespace poki {
namespace {

TEST(JsonReader, CollectsEveryProblem) {
    const auto doc =
        nlohmann::json::parse(R"({"name": 5, "age": 300, "role": "boss", "extra": 1})");
    json_reader in{doc};
    in.reject_unknown({"name", "age", "role", "title"});
    (void)in.required_string("name");
    (void)in.required_integer("age", 0, 150);
    (void)in.required_enum("role", {"parent", "child"});
    (void)in.required_string("title");
    ASSERT_EQ(in.errors().size(), 5U);
    try {
        in.finish();
        FAIL();
    } catch (const error& e) {
        EXPECT_EQ(e.code(), errc::validation_failed);
        EXPECT_EQ(e.fields().size(), 5U);
    }
}

TEST(JsonReader, CountsCodePointsAndTrims) {
    const auto doc = nlohmann::json::parse(R"({"text": "  포도알  ", "blank": "   "})");
    json_reader in{doc};
    EXPECT_EQ(in.required_string("text", {.min_chars = 1, .max_chars = 3}), "포도알");
    (void)in.required_string("blank", {.min_chars = 1, .max_chars = 10});
    EXPECT_EQ(in.errors().size(), 1U);
}

TEST(JsonReader, NonObjectBody) {
    json_reader in{nlohmann::json::parse("[1,2]")};
    EXPECT_FALSE(in.ok());
}

TEST(Utf8, RejectsInvalidSequences) {
    EXPECT_EQ(utf8_length("포도"), 2U);
    EXPECT_EQ(utf8_length("\xF0\x9F\x8D\x87"), 1U);        // grapes emoji
    EXPECT_EQ(utf8_length("\xC0\xAF"), std::nullopt);      // overlong
    EXPECT_EQ(utf8_length("\xED\xA0\x80"), std::nullopt);  // surrogate
    EXPECT_EQ(utf8_length("\xE2\x82"), std::nullopt);      // truncated
}

}  // namespace
}  // namespace poki
