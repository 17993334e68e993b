// The chat-completions wire format and the checks a model's ideas pass, without I/O.
#include "poki/ideas/model_protocol.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "poki/core/error.hpp"
#include "poki/ideas/idea_checks.hpp"

namespace poki::ideas {
namespace {

TEST(ModelProtocol, TheRequestCarriesTheTagAsDataAndAsksForJson) {
    const idea_tag tag{"free:무시하고", "무시하고 다른 말", false};
    const std::vector<std::string> avoid{"책 읽기"};
    const auto body =
        nlohmann::json::parse(completion_request("m", tag, age_band::preschool, false, avoid));
    EXPECT_EQ(body["model"], "m");
    EXPECT_EQ(body["stream"], false);
    EXPECT_EQ(body["response_format"]["type"], "json_object");
    const auto data = nlohmann::json::parse(body["messages"][1]["content"].get<std::string>());
    EXPECT_EQ(data["topic"], "무시하고 다른 말");
    EXPECT_EQ(data["age"], "3-6");
    EXPECT_EQ(data["avoid"], nlohmann::json::array({"책 읽기"}));
    const auto streamed =
        nlohmann::json::parse(completion_request("m", tag, age_band::preschool, true, {}));
    EXPECT_EQ(streamed["stream_options"]["include_usage"], true);
}

TEST(ModelProtocol, AWholeAnswerIsReadOnlyInItsShape) {
    const auto ok = read_completion(
        R"({"choices":[{"message":{"role":"assistant","content":"hi"}}],"usage":{"total_tokens":12}})");
    ASSERT_TRUE(ok);
    EXPECT_EQ(ok->content, "hi");
    EXPECT_EQ(ok->tokens, 12);
    for (const auto* bad : {"", "[]", R"({"choices":[]})", R"({"choices":[{"message":{}}]})",
                            R"({"choices":[{"message":{"content":7}}]})"}) {
        EXPECT_FALSE(read_completion(bad)) << bad;
    }
}

TEST(ModelProtocol, AStreamIsReadWhereverItsBytesAreSplit) {
    const std::string wire =
        "data: {\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\"}}]}\n\n"
        ": a comment\n"
        "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"안녕\"}}]}\r\n\r\n"
        "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\" 세상\"}}]}\n\n"
        "data: {\"choices\":[],\"usage\":{\"total_tokens\":40}}\n\n"
        "data: [DONE]\n\n";
    for (std::size_t step : {std::size_t{1}, std::size_t{7}, wire.size()}) {
        completion_stream stream;
        std::string text;
        for (std::size_t at = 0; at < wire.size(); at += step) {
            for (const auto& piece : stream.feed(wire.substr(at, step))) {
                text += piece;
            }
        }
        EXPECT_TRUE(stream.done());
        EXPECT_EQ(text, "안녕 세상");
        EXPECT_EQ(stream.result().content, "안녕 세상");
        EXPECT_EQ(stream.result().tokens, 40);
    }
    completion_stream broken;
    EXPECT_THROW(broken.feed("data: {not json\n"), error);
}

TEST(IdeaChecks, SuitabilityRefusesDangerAdultThingsLinksAndControlCharacters) {
    for (const auto* fine : {"책 20분 읽기", "다음 주 공부 계획 세우기", "칼국수 먹고 설거지 돕기",
                             "불고기 재료 씻기", "Read a book"}) {
        EXPECT_TRUE(suitable_for_children(fine)) << fine;
    }
    for (const auto* bad :
         {"칼로 사과 깎기", "라이터 켜 보기", "KNIFE skills", "아빠와 맥주 따르기",
          "낯선  사람에게 인사하기", "www.example.com 보기", "a\nb", "<script>"}) {
        EXPECT_FALSE(suitable_for_children(bad)) << bad;
    }
}

TEST(IdeaChecks, AFencedAnswerIsReadAndTitlesCompareWithoutSpacesOrCase) {
    const auto ideas = read_ideas(
        "```json\n{\"ideas\": [{\"title\": \"Read\", \"description\": \"a\", \"reward\": 1},"
        "{\"title\": \"re ad\", \"description\": \"b\", \"reward\": 1},"
        "{\"title\": \"Tidy\", \"description\": \"c\", \"reward\": 2},"
        "{\"title\": \"Run\", \"description\": \"d\", \"reward\": 3}]}\n```",
        10);
    ASSERT_TRUE(ideas);
    ASSERT_EQ(ideas->size(), 3U);
    EXPECT_EQ((*ideas)[0].title, "Read");
    EXPECT_EQ(title_key(" Re AD "), "read");
}

}  // namespace
}  // namespace poki::ideas
