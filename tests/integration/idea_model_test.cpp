// Mission ideas from a model (the fake OpenAI-compatible server the test starts), without
// HTTP: the request the model receives, a valid answer kept and pooled, invalid and
// unsuitable answers refused, failures and slowness answered from the offline library, a
// back-off after failures, the family's hourly calls, streaming, and Redis down.
#include <set>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "poki/ideas/idea_service.hpp"
#include "poki/ideas/idea_tags.hpp"
#include "poki/notify/event_service.hpp"

#include "support/fake_model.hpp"
#include "support/service_stack.hpp"

namespace poki::ideas {
namespace {

class IdeaModelTest : public ::testing::Test {
  protected:
    IdeaModelTest() {
        const auto family = stack_.add_family("ours").id;
        mom_ = stack_.add_member(family, role::parent, "mom");
        kid_ = stack_.add_member(family, role::child, "kid");
        cfg_.provider_url = model_.base_url();
        cfg_.model = "test-model";
        cfg_.api_key = "sk-test-secret-key-0123456789";
        cfg_.request_timeout = milliseconds{1000};
        cfg_.stream_idle_timeout = milliseconds{300};
        cfg_.backoff_base = milliseconds{300};
        cfg_.backoff_max = milliseconds{300};
        cfg_.fill_wait = milliseconds{1500};
        events_ = std::make_unique<notify::event_service>(
            *stack_.pool, *stack_.reads, *stack_.redis, events_config_, push_config_);
        missions_ = std::make_unique<missions::mission_service>(
            stack_.ioc, *stack_.pool, *stack_.reads, *events_, missions_config_);
        client_ = std::make_unique<model_client>(stack_.ioc, cfg_, missions_config_.max_reward);
        ideas_ = std::make_unique<idea_service>(*stack_.pool, *stack_.reads, *missions_,
                                                *stack_.redis, *client_, cfg_);
        stack_.wait_for_redis();
    }

  public:
    // A top-up a cached answer started may still be talking to the model.
    ~IdeaModelTest() override { stack_.run(ideas_->finish_background(milliseconds{5000})); }

  protected:
    idea_answer suggest(const std::string& text, age_band band = age_band::early_school) {
        return stack_.run(ideas_->suggest(mom_, *normalize_tag(text), band));
    }

    /// Waits out the back-off a failure started.
    void after_back_off() const {
        std::this_thread::sleep_for(cfg_.backoff_max + milliseconds{50});
    }

    test::fake_model model_;
    test::service_stack stack_;
    ideas_config cfg_;
    events_config events_config_;
    push_config push_config_;
    missions_config missions_config_;
    std::unique_ptr<notify::event_service> events_;
    std::unique_ptr<missions::mission_service> missions_;
    std::unique_ptr<model_client> client_;
    std::unique_ptr<idea_service> ideas_;
    principal mom_;
    principal kid_;
};

TEST_F(IdeaModelTest, AMissCallsTheModelOnceKeepsItsIdeasAndTheNextAnswersComeFromThePool) {
    const auto first = suggest("독서");
    EXPECT_EQ(first.source, "model");
    ASSERT_EQ(first.items.size(), 5U);
    EXPECT_TRUE(first.items[0].id.starts_with("gen-")) << first.items[0].id;
    EXPECT_EQ(first.items[0].tag, "reading");
    ASSERT_EQ(model_.calls(), 1U);

    // What the model was sent: the model, a system message with the rules, the tag and
    // band as JSON data, the key as a bearer token.
    const auto sent = model_.requests()[0];
    EXPECT_EQ(sent.target, "/v1/chat/completions");
    EXPECT_EQ(sent.headers.at("authorization"), "Bearer " + cfg_.api_key);
    const auto body = nlohmann::json::parse(sent.body);
    EXPECT_EQ(body["model"], "test-model");
    EXPECT_EQ(body["stream"], false);
    ASSERT_EQ(body["messages"].size(), 2U);
    EXPECT_EQ(body["messages"][0]["role"], "system");
    EXPECT_NE(body["messages"][0]["content"].get<std::string>().find("never follow"),
              std::string::npos);
    const auto data = nlohmann::json::parse(body["messages"][1]["content"].get<std::string>());
    EXPECT_EQ(data["topic"], "독서");
    EXPECT_EQ(data["age"], "7-9");

    EXPECT_EQ(stack_.count("SELECT count(*) FROM generated_ideas WHERE tag_key = 'reading'"), 6);
    const auto again = suggest("reading");
    EXPECT_EQ(again.source, "cache") << "the English spelling shares the pool";
    EXPECT_EQ(again.items.size(), 5U);
    EXPECT_GE(ideas_->counters().hits.load(), 1U);
    EXPECT_EQ(client_->counters().tokens.load(), 321U);

    // A pooled idea is assigned like a library one; the mission carries the tag's name.
    idea_assignment give{first.items[0].id, kid_.user_id, std::nullopt};
    const auto made = stack_.run(ideas_->assign(mom_, give));
    EXPECT_TRUE(made.created);
    const auto& mission = made.body;
    EXPECT_EQ(mission["title"], first.items[0].title);
    EXPECT_EQ(mission["tag"], "독서");
}

TEST_F(IdeaModelTest, AnInstanceAnswersFromItsNearCopyAndCountsThoseUsesWithItsNextRead) {
    cfg_.pool_size = 6;  // the model's one answer fills it: no top-up talks to Redis meanwhile
    EXPECT_EQ(suggest("독서").source, "model");
    idea_cache probe{*stack_.redis, cfg_};
    const auto score = [&] {
        for (const auto& [key, value] : stack_.run(probe.frequencies())) {
            if (key == "reading") {
                return value;
            }
        }
        return 0.0;
    };
    EXPECT_EQ(suggest("독서").source, "cache");  // reads the pool, keeps a copy
    const auto read_once = score();
    const auto commands = stack_.redis->stats().commands;
    std::set<std::string> seen;
    for (int i = 0; i < 20; ++i) {
        const auto answer = suggest("독서");
        EXPECT_EQ(answer.source, "cache");
        ASSERT_EQ(answer.items.size(), 5U);
        for (const auto& item : answer.items) {
            seen.insert(item.title);
        }
    }
    EXPECT_EQ(stack_.redis->stats().commands, commands) << "answers from the copy asked Redis";
    EXPECT_EQ(seen.size(), 6U) << "every pooled idea is served from the copy too";
    EXPECT_DOUBLE_EQ(score(), read_once) << "not counted before the next read";
    std::this_thread::sleep_for(cfg_.near_cache + milliseconds{50});
    EXPECT_EQ(suggest("독서").source, "cache");
    // 20 uses from the copy and this read; three days' half-life makes the decay negligible.
    EXPECT_NEAR(score() - read_once, 21.0, 0.01);
}

TEST_F(IdeaModelTest, AnswersThatDoNotValidateAreRefusedAndTheLibraryAnswers) {
    const std::vector<std::string> refused{
        "이건 JSON이 아니에요",
        R"({"ideas": []})",
        R"({"ideas": [{"title": "하나", "description": "하나", "reward": 1}]})",  // too few
        R"({"ideas": [{"title": "a", "description": "b", "reward": 1}], "extra": 1})",
        // one unsuitable idea refuses the whole answer
        R"({"ideas": [{"title": "사과 깎기", "description": "칼로 사과를 깎아요.", "reward": 2},
                      {"title": "책 읽기", "description": "책을 읽어요.", "reward": 1},
                      {"title": "책 정리", "description": "책을 정리해요.", "reward": 1},
                      {"title": "그림 그리기", "description": "그림을 그려요.", "reward": 1}]})",
        R"({"ideas": [{"title": "링크 보기", "description": "http://example.com 에 가요", "reward": 1},
                      {"title": "책 읽기", "description": "책을 읽어요.", "reward": 1},
                      {"title": "책 정리", "description": "책을 정리해요.", "reward": 1}]})",
    };
    for (const auto& content : refused) {
        test::model_reply reply;
        reply.content = content;
        model_.script({reply});
        const auto answer = suggest("독서");
        EXPECT_EQ(answer.source, "library") << content;
        EXPECT_EQ(answer.items.size(), 5U);
        after_back_off();
    }
    EXPECT_EQ(model_.calls(), refused.size());
    EXPECT_EQ(client_->counters().failures.load(), refused.size());
    EXPECT_EQ(stack_.count("SELECT count(*) FROM generated_ideas"), 0);
}

TEST_F(IdeaModelTest, TooLongDuplicateAndOutOfRangeIdeasAreDroppedAndTheRestKept) {
    test::model_reply reply;
    reply.content =
        nlohmann::json{
            {"ideas",
             {{{"title", "책 읽기"}, {"description", "책을 읽어요."}, {"reward", 1}},
              {{"title", "책  읽기"}, {"description", "같은 제목이에요."}, {"reward", 1}},
              {{"title", std::string(std::size_t{41} * 3, 'a')},
               {"description", "너무 긴 제목"},
               {"reward", 1}},
              {{"title", "보상 초과"}, {"description", "보상이 너무 커요."}, {"reward", 99}},
              {{"title", "문자열 보상"}, {"description", "보상이 글자예요."}, {"reward", "2"}},
              {{"title", "책 정리"}, {"description", "책을 정리해요."}, {"reward", 2}},
              {{"title", "독서 기록"}, {"description", "한 줄을 적어요."}, {"reward", 2}}}}}
            .dump();
    model_.script({reply});
    const auto answer = suggest("독서");
    EXPECT_EQ(answer.source, "model");
    std::vector<std::string> titles;
    for (const auto& i : answer.items) {
        titles.push_back(i.title);
    }
    std::sort(titles.begin(), titles.end());
    EXPECT_EQ(titles, (std::vector<std::string>{"독서 기록", "책 읽기", "책 정리"}));
}

TEST_F(IdeaModelTest, FailuresAndSlownessGiveTheLibraryAndBackOffStopsARetryStorm) {
    test::model_reply failing;
    failing.status = 500;
    model_.script({failing});
    EXPECT_EQ(suggest("독서").source, "library");
    EXPECT_EQ(model_.calls(), 1U);
    // Backing off: further misses do not call the model at all.
    for (int i = 0; i < 5; ++i) {
        EXPECT_EQ(suggest("정리정돈").source, "library");
    }
    EXPECT_EQ(model_.calls(), 1U);
    after_back_off();

    test::model_reply slow;
    slow.delay = cfg_.request_timeout + milliseconds{500};
    model_.script({slow});
    EXPECT_EQ(suggest("독서").source, "library") << "past the request timeout";
    EXPECT_EQ(model_.calls(), 2U);
    after_back_off();

    EXPECT_EQ(suggest("독서").source, "model") << "a good answer after the back-off";
    EXPECT_GE(ideas_->counters().fallbacks.load(), 7U);
}

TEST_F(IdeaModelTest, AFamilysHourlyCallsAreCounted) {
    cfg_.family_calls_per_hour = 2;
    EXPECT_EQ(suggest("독서").source, "model");
    EXPECT_EQ(suggest("음악").source, "model");
    EXPECT_EQ(suggest("미술").source, "library") << "the third call this hour";
    EXPECT_EQ(model_.calls(), 2U);
    EXPECT_EQ(suggest("독서").source, "cache") << "pooled ideas cost nothing";
    EXPECT_THROW(stack_.run(ideas_->begin_stream(mom_)), error);
}

TEST_F(IdeaModelTest, AStreamHandsOverTheTextAsItComesAndPoolsTheIdeas) {
    test::model_reply streamed;
    streamed.pieces = 8;
    streamed.piece_gap = milliseconds{20};
    model_.script({streamed});
    ASSERT_TRUE(stack_.run(ideas_->begin_stream(mom_)));
    std::string text;
    int pieces = 0;
    const model_client::piece_sink sink = [&](std::string_view piece) -> awaitable<void> {
        text += piece;
        ++pieces;
        co_return;
    };
    const auto answer =
        stack_.run(ideas_->stream(true, *normalize_tag("운동"), age_band::late_school, sink));
    EXPECT_EQ(answer.source, "model");
    EXPECT_EQ(answer.items.size(), 6U) << "a stream shows every idea it got";
    EXPECT_GE(pieces, 6);
    EXPECT_EQ(text, test::fake_model::ideas_content(6, "아이디어"));
    const auto body = nlohmann::json::parse(model_.requests().at(0).body);
    EXPECT_EQ(body["stream"], true);
    EXPECT_EQ(suggest("운동", age_band::late_school).source, "cache");

    // A stream that stalls past the idle timeout, or ends without [DONE]: the library.
    test::model_reply stalled;
    stalled.piece_gap = cfg_.stream_idle_timeout + milliseconds{200};
    test::model_reply cut;
    cut.finish = false;
    for (const auto& bad : {stalled, cut}) {
        after_back_off();
        model_.script({bad});
        const auto fallback =
            stack_.run(ideas_->stream(true, *normalize_tag("과학"), age_band::late_school, sink));
        EXPECT_EQ(fallback.source, "library");
        EXPECT_EQ(fallback.items.size(), 5U);
    }
}

TEST_F(IdeaModelTest, WithRedisDownTheLibraryStillAnswers) {
    stack_.redis_server.stop();
    stack_.wait_for_redis(false);
    const auto answer = suggest("독서");
    EXPECT_EQ(answer.source, "library");
    EXPECT_EQ(answer.items.size(), 5U);
    EXPECT_EQ(model_.calls(), 0U) << "without Redis there is no single flight or limit";
    EXPECT_FALSE(stack_.run(ideas_->begin_stream(mom_)));
}

TEST(IdeaChecks, EveryLibraryIdeaWouldPassTheModelChecks) {
    // The same rules for what a child is offered, whoever wrote it: run over the migration.
    test::service_stack stack;
    pqxx::connection c{stack.database.url()};
    pqxx::work tx{c};
    const auto rows = tx.exec("SELECT title, description FROM mission_ideas");
    ASSERT_GE(rows.size(), 300U);
    for (const auto& row : rows) {
        EXPECT_TRUE(suitable_for_children(row[0].as<std::string>())) << row[0].as<std::string>();
        EXPECT_TRUE(suitable_for_children(row[1].as<std::string>())) << row[1].as<std::string>();
    }
}

}  // namespace
}  // namespace poki::ideas
