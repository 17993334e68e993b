// Input that once broke the server, by class: the strict JSON reader (numbers no double holds,
// U+0000, duplicates, nesting, bad UTF-8), the field reader and the SQL array builder behind
// it, proxy addresses, and in-memory rate counters. Ends with a bounded random-input loop
// over the JSON reader: whatever the bytes, it answers a document or a poki::error.
#include <optional>
#include <random>

#include <gtest/gtest.h>

#include "poki/auth/rate_limiter.hpp"
#include "poki/core/json_parse.hpp"
#include "poki/core/json_reader.hpp"
#include "poki/db/sql_text.hpp"
#include "poki/http/proxy_trust.hpp"
#include "poki/http/request_context.hpp"

namespace poki {
namespace {

/// The error parse_untrusted_json throws for `text` (fails the test when it parses).
error refusal(std::string_view text) {
    try {
        (void)parse_untrusted_json(text);
    } catch (const error& e) {
        return e;
    }
    ADD_FAILURE() << "parsed: " << text;
    return error{};
}

void expect_field_error(std::string_view text, const std::string& field,
                        const std::string& message_part) {
    const auto e = refusal(text);
    EXPECT_EQ(e.code(), errc::validation_failed) << text;
    ASSERT_EQ(e.fields().size(), 1U) << text;
    EXPECT_EQ(e.fields()[0].field, field) << text;
    EXPECT_NE(e.fields()[0].message.find(message_part), std::string::npos) << e.fields()[0].message;
}

TEST(StrictJson, ParsesOrdinaryDocuments) {
    const auto doc = parse_untrusted_json(
        R"({"text":"안녕 \"grapes\"","n":-5,"big":18446744073709551615,"f":1.5e300,)"
        R"("list":[1,{"a":null,"b":true}],"empty":{}})");
    EXPECT_EQ(doc["text"], "안녕 \"grapes\"");
    EXPECT_EQ(doc["n"], -5);
    EXPECT_EQ(doc["big"].get<std::uint64_t>(), 18446744073709551615ULL);
    EXPECT_DOUBLE_EQ(doc["f"].get<double>(), 1.5e300);
    EXPECT_TRUE(doc["list"][1]["a"].is_null());
    EXPECT_TRUE(doc["empty"].is_object());
    EXPECT_EQ(parse_untrusted_json("[]"), nlohmann::json::array());
    EXPECT_EQ(parse_untrusted_json("\"just text\""), "just text");
}

TEST(StrictJson, NumbersNoDoubleHoldsNameTheirPlace) {
    expect_field_error(R"({"password": 1e400})", "password", "too large");
    expect_field_error(R"([-1e999])", "[0]", "too large");
    expect_field_error(R"(1e400)", "", "too large");
    expect_field_error(R"({"x": [1, 2, {"y": -1e400}]})", "x[2].y", "too large");
    // 400 digits: too long for an integer, too large for a double.
    expect_field_error("{\"n\": 1" + std::string(400, '0') + "}", "n", "too large");
}

TEST(StrictJson, NulInAnyStringIsRefusedByName) {
    expect_field_error(R"({"text": "a\u0000b"})", "text", "U+0000");
    expect_field_error(R"({"items": [{"name": "ok"}, {"name": "\u0000"}]})", "items[1].name",
                       "U+0000");
    expect_field_error(R"(["\u0000"])", "[0]", "U+0000");
    expect_field_error(R"({"a\u0000b": 1})", "", "U+0000");
    expect_field_error(R"({"outer": {"a\u0000": 1}})", "outer", "U+0000");
}

TEST(StrictJson, DuplicatesDepthAndEncodingAreRefused) {
    expect_field_error(R"({"amount": 1, "amount": 1000})", "amount", "more than once");
    std::string deep(40, '[');
    deep += std::string(40, ']');
    std::string where;
    for (int level = 0; level < 32; ++level) {
        where += "[0]";
    }
    expect_field_error(deep, where, "levels deep");
    std::string bad_utf8 = "{\"name\": \"\xC3\x28\"}";
    expect_field_error(bad_utf8, "name", "UTF-8");
    expect_field_error(R"({"name": "\ud800"})", "name", "UTF-8");
}

TEST(StrictJson, BrokenSyntaxIsABadRequestThatEchoesNothing) {
    for (const std::string_view text :
         {"{", "{\"a\":}", "[1,]", "nul", "{\"secret-text\" 1}", "\"open", "{} {}"}) {
        const auto e = refusal(text);
        EXPECT_EQ(e.code(), errc::bad_request) << text;
        EXPECT_EQ(e.detail().find("secret-text"), std::string::npos);
    }
}

TEST(JsonReader, RefusesNulInFieldsEvenFromATrustedDocument) {
    const nlohmann::json doc{{"name", std::string{"kid\0die", 7}}};
    json_reader in{doc};
    (void)in.required_string("name", {.min_chars = 1, .max_chars = 50});
    ASSERT_EQ(in.errors().size(), 1U);
    EXPECT_EQ(in.errors()[0].field, "name");
}

TEST(SqlText, TextArraysRefuseNul) {
    const std::vector<std::string> fine{"a\"b", "c\\d"};
    EXPECT_EQ(db::text_array(fine), R"({"a\"b","c\\d"})");
    const std::vector<std::string> poisoned{"fine", std::string{"cut\0here", 8}};
    EXPECT_THROW((void)db::text_array(poisoned), std::invalid_argument);
}

TEST(SqlText, EmptyElementsAreSqlNullsAndTheWordNullStaysText) {
    const std::vector<std::optional<std::string>> texts{"NULL", std::nullopt, "x"};
    EXPECT_EQ(db::text_array(texts), R"({"NULL",NULL,"x"})");
    const std::vector<std::optional<std::int64_t>> ids{1, std::nullopt, -3};
    EXPECT_EQ(db::int_array(ids), "{1,NULL,-3}");
}

TEST(PercentDecode, RefusesNulAndBytesThatAreNotUtf8) {
    EXPECT_EQ(http::percent_decode("%ED%8F%AC%20ok", false), "포 ok");
    EXPECT_FALSE(http::percent_decode("a%00b", false));
    EXPECT_FALSE(http::percent_decode("%C3%28", false));
    EXPECT_FALSE(http::percent_decode("%zz", false));
    EXPECT_TRUE(http::query_is_decodable("q=%ED%8F%AC&limit=5&flag"));
    EXPECT_FALSE(http::query_is_decodable("q=ok&x=%00"));
    EXPECT_FALSE(http::query_is_decodable("%FF=1"));
}

TEST(ProxyTrust, OnlyTrustedPeersChooseTheClientAddress) {
    const http::proxy_trust none;
    EXPECT_EQ(none.client_address("127.0.0.1", "203.0.113.9"), "127.0.0.1");

    const http::proxy_trust proxies{"127.0.0.1, 10.0.0.0/8 ,::1,fd00::/8"};
    EXPECT_TRUE(proxies.trusts("10.20.30.40"));
    EXPECT_FALSE(proxies.trusts("11.0.0.1"));
    EXPECT_TRUE(proxies.trusts("fd12::1"));
    EXPECT_TRUE(proxies.trusts("::ffff:127.0.0.1"));
    // The rightmost hop that is not a proxy; what a client wrote before it is not believed.
    EXPECT_EQ(proxies.client_address("127.0.0.1", "198.51.100.7"), "198.51.100.7");
    EXPECT_EQ(proxies.client_address("127.0.0.1", "6.6.6.6, 198.51.100.7, 10.1.1.1"),
              "198.51.100.7");
    EXPECT_EQ(proxies.client_address("127.0.0.1", "10.0.0.1, 10.0.0.2"), "10.0.0.1");
    EXPECT_EQ(proxies.client_address("127.0.0.1", "not-an-ip, 198.51.100.7"), "198.51.100.7");
    EXPECT_EQ(proxies.client_address("127.0.0.1", "198.51.100.7, garbage"), "127.0.0.1");
    // An untrusted peer's header is ignored whatever it says.
    EXPECT_EQ(proxies.client_address("203.0.113.5", "198.51.100.7"), "203.0.113.5");
    EXPECT_THROW(http::proxy_trust{"10.0.0.0/33"}, std::invalid_argument);
    EXPECT_THROW(http::proxy_trust{"example.com"}, std::invalid_argument);
    EXPECT_THROW(http::proxy_trust{"10.0.0.0/"}, std::invalid_argument);
}

TEST(LocalCounters, HoldTheLimitAndStayBounded) {
    auth::local_counters counters{3};
    const std::chrono::seconds window{60};
    for (int i = 0; i < 5; ++i) {
        EXPECT_FALSE(counters.hit("a", 5, window)) << i;
    }
    const auto refused = counters.hit("a", 5, window);
    ASSERT_TRUE(refused);
    EXPECT_GE(refused->count(), 59);
    // Refused attempts count too (as INCR does in Redis): two give-backs make room for one.
    counters.give_back("a");
    counters.give_back("a");
    EXPECT_FALSE(counters.hit("a", 5, window));
    EXPECT_FALSE(counters.hit("b", 5, window));
    EXPECT_FALSE(counters.hit("c", 5, window));
    // Full of live windows: a new key is refused rather than stored.
    EXPECT_TRUE(counters.hit("d", 5, window));
}

/// A bounded random-input loop standing in for a fuzzer: mutations of real request bodies
/// (bytes flipped, cut, repeated, spliced with tokens that once broke things). Every outcome
/// must be a document or a poki::error; anything else (another exception, a crash under the
/// sanitizers) fails.
TEST(StrictJsonFuzz, AnyBytesGiveADocumentOrAProblem) {
    const std::vector<std::string> seeds{
        R"({"email":"mom@example.com","password":"correct horse"})",
        R"({"client_id":"3f2b6c1e-1111-4111-8111-111111111111","text":"안녕"})",
        R"({"amount":-3,"reason":"oops","tags":["a","b"],"nested":{"x":[1,2,{"y":null}]}})",
        R"([1,2.5,-0,1e10,true,false,null,"\u00e9\ud83d\ude00"])"};
    const std::vector<std::string> tokens{"1e400",  "\\u0000", "\\ud800", "\xC3\x28",
                                          "[[[[[[", "}}}}",    "\"\"",    "-",
                                          "0x1F",   "\xFF",    ",,",      ":"};
    std::mt19937 random{20261201};
    std::size_t documents = 0;
    std::size_t problems = 0;
    for (int round = 0; round < 20000; ++round) {
        auto text = seeds[random() % seeds.size()];
        const int edits = 1 + static_cast<int>(random() % 4);
        for (int e = 0; e < edits && !text.empty(); ++e) {
            const auto at = random() % text.size();
            switch (random() % 4) {
                case 0:
                    text[at] = static_cast<char>(random() % 256);
                    break;
                case 1:
                    text.erase(at, 1 + random() % 8);
                    break;
                case 2:
                    text.insert(at, tokens[random() % tokens.size()]);
                    break;
                default:
                    text.insert(at, text.substr(at, random() % 32));
                    break;
            }
        }
        try {
            (void)parse_untrusted_json(text);
            ++documents;
        } catch (const error& e) {
            EXPECT_TRUE(e.code() == errc::bad_request || e.code() == errc::validation_failed);
            ++problems;
        }
    }
    EXPECT_GT(problems, 1000U);
    EXPECT_GT(documents, 10U);
}

}  // namespace
}  // namespace poki
