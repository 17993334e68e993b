#include "poki/core/json_writer.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace poki {
namespace {

TEST(JsonWriter, WritesNestedObjectsAndArraysWithCommasInPlace) {
    json_writer w;
    w.begin_object()
        .field("id", std::int64_t{7})
        .field("name", "하늘")
        .key("tags")
        .begin_array()
        .value("a")
        .value(2)
        .begin_object()
        .end_object()
        .end_array()
        .field("none", std::optional<int>{})
        .field("some", std::optional<std::string>{"x"})
        .field("yes", true)
        .field("no", false)
        .end_object();
    EXPECT_EQ(w.text(),
              R"({"id":7,"name":"하늘","tags":["a",2,{}],"none":null,"some":"x","yes":true,)"
              R"("no":false})");
    EXPECT_TRUE(nlohmann::json::accept(w.text()));
}

TEST(JsonWriter, EscapesQuotesBackslashesAndControlCharacters) {
    json_writer w;
    const std::string tricky = std::string{"a\"b\\c\n\t\r\b\f"} + '\x01' + "\x1f" + "/</script>";
    w.value(tricky);
    EXPECT_EQ(nlohmann::json::parse(w.text()).get<std::string>(), tricky);
    EXPECT_EQ(w.text(), R"("a\"b\\c\n\t\r\b\f\u0001\u001f/</script>")");
}

TEST(JsonWriter, KeepsWellFormedUtf8AndReplacesWhatIsNot) {
    json_writer ok;
    ok.value("공룡 🦕 é");
    EXPECT_EQ(nlohmann::json::parse(ok.text()).get<std::string>(), "공룡 🦕 é");

    for (const std::string& bad : {std::string{"a\xff"
                                               "b"},
                                   std::string{"\xe3\x81"}, std::string{"\xc0\xaf"},
                                   std::string{"\xed\xa0\x80"}, std::string{"\xf4\x90\x80\x80"}}) {
        json_writer w;
        w.value(bad);
        nlohmann::json parsed;
        ASSERT_NO_THROW(parsed = nlohmann::json::parse(w.text())) << w.text();
        EXPECT_NE(parsed.get<std::string>().find("\xEF\xBF\xBD"), std::string::npos);
    }
}

TEST(JsonWriter, NumbersAtTheirLimits) {
    json_writer w;
    w.begin_array()
        .value(std::numeric_limits<std::int64_t>::min())
        .value(std::numeric_limits<std::int64_t>::max())
        .value(0)
        .end_array();
    const auto parsed = nlohmann::json::parse(w.text());
    EXPECT_EQ(parsed[0].get<std::int64_t>(), std::numeric_limits<std::int64_t>::min());
    EXPECT_EQ(parsed[1].get<std::int64_t>(), std::numeric_limits<std::int64_t>::max());
}

TEST(JsonWriter, PageTextHasItemsAndCursor) {
    page<int> p{{1, 2, 3}, 3};
    const auto text = page_text(p, [](json_writer& w, int v) { w.value(v * 10); });
    EXPECT_EQ(text, R"({"items":[10,20,30],"next_cursor":3})");
    const auto last =
        page_text(page<int>{{}, std::nullopt}, [](json_writer& w, int v) { w.value(v); });
    EXPECT_EQ(last, R"({"items":[],"next_cursor":null})");
}

}  // namespace
}  // namespace poki
