// Mission ideas from a model, over HTTP on the real binary, against the fake
// OpenAI-compatible server the test starts: twenty parents missing one tag at once over two
// instances cause one model call; the stream route shows the text as it comes; a family's
// hourly calls run out with a clear 429; the key never reaches the logs; the counters show.
#include <future>

#include <gtest/gtest.h>

#include "support/fake_model.hpp"
#include "support/family_api.hpp"

namespace poki::test {
namespace {

http_reply ideas(const running_server& server, const member_session& who,
                 const std::string& query) {
    return server.request("GET", "/api/v1/mission-ideas" + query, "", bearer(who.access));
}

TEST(MissionIdeasFromAModel, TwentyMissesOverTwoInstancesCauseOneModelCall) {
    fake_model model;
    model_reply slow;
    slow.delay = std::chrono::milliseconds{600};  // every request arrives while it thinks
    model.set_default(slow);
    own_redis redis;
    // A full pool (six ideas, pool_size 6) starts no top-up: only the misses call.
    const auto extra = model_config(model, {{"pool_size", 6}});
    running_server first{{.redis_port = redis.port(), .extra = extra}};
    running_server second{{.redis_port = redis.port(), .extra = extra}};
    std::vector<member_session> parents;
    parents.reserve(20);
    for (int i = 0; i < 20; ++i) {
        parents.push_back(parent(i % 2 == 0 ? first : second));
    }

    std::vector<std::future<http_reply>> asked;
    asked.reserve(20);
    for (int i = 0; i < 20; ++i) {
        const auto& server = i % 2 == 0 ? first : second;
        asked.push_back(std::async(std::launch::async, [&server, &who = parents[i]] {
            return ideas(server, who, "?tag=dinosaur&age=8");
        }));
    }
    std::map<std::string, int> sources;
    for (auto& a : asked) {
        const auto r = a.get();
        ASSERT_EQ(r.status, 200) << r.body;
        const auto body = json_of(r);
        EXPECT_EQ(body["items"].size(), 5U);
        ++sources[body["source"].get<std::string>()];
    }
    EXPECT_EQ(model.calls(), 1U);
    EXPECT_EQ(sources["model"], 1);
    EXPECT_EQ(sources["cache"], 19) << "the others waited for that one answer";
}

TEST(MissionIdeasFromAModel, TheStreamShowsTheTextAsItComesThenTheIdeas) {
    fake_model model;
    model_reply streamed;
    streamed.pieces = 10;
    streamed.piece_gap = std::chrono::milliseconds{10};
    model.set_default(streamed);
    own_redis redis;
    running_server server{{.redis_port = redis.port(), .extra = model_config(model)}};
    const auto mom = parent(server);

    const auto r = ideas(server, mom, "/stream?tag=music&age=11");
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_NE(r.header("content-type").find("text/event-stream"), std::string::npos);
    std::size_t pieces = 0;
    for (auto at = r.body.find("event: piece\n"); at != std::string::npos;
         at = r.body.find("event: piece\n", at + 1)) {
        ++pieces;
    }
    EXPECT_GE(pieces, 10U);
    const auto last = r.body.rfind("event: ideas\ndata: ");
    ASSERT_NE(last, std::string::npos) << r.body;
    const auto data = r.body.substr(last + 19, r.body.find('\n', last + 19) - last - 19);
    const auto answer = nlohmann::json::parse(data);
    EXPECT_EQ(answer["source"], "model");
    EXPECT_EQ(answer["items"].size(), 6U);
    EXPECT_EQ(nlohmann::json::parse(model.requests().at(0).body)["stream"], true);

    // The streamed ideas are pooled: the ordinary route answers from the cache.
    EXPECT_EQ(json_of(ideas(server, mom, "?tag=music&age=12"))["source"], "cache");

    // Children cannot ask, and bad questions are refused before any stream starts.
    expect_problem(ideas(server, child(server, mom), "/stream?tag=music&age=11"), 403, "forbidden",
                   "");
    expect_problem(ideas(server, mom, "/stream?tag=music"), 422, "validation_failed", "");
}

TEST(MissionIdeasFromAModel, AFamilysHourlyCallsRunOutClearlyAndTheKeyIsNeverLogged) {
    fake_model model;
    own_redis redis;
    running_server server{
        {.redis_port = redis.port(), .extra = model_config(model, {{"family_calls_per_hour", 1}})}};
    const auto mom = parent(server);
    ASSERT_EQ(json_of(ideas(server, mom, "?tag=art&age=5"))["source"], "model");
    const auto spent = ideas(server, mom, "/stream?tag=art&age=5");
    expect_problem(spent, 429, "too_many_requests", "ideas_rate_limited");
    EXPECT_FALSE(spent.header("retry-after").empty());
    EXPECT_EQ(json_of(ideas(server, mom, "?tag=science&age=5"))["source"], "library")
        << "a miss past the limit gets the library, not an error";
    const auto other = parent(server);
    EXPECT_EQ(json_of(ideas(server, other, "?tag=science&age=5"))["source"], "model")
        << "another family has its own calls";

    const auto metrics = server.request("GET", "/metrics");
    EXPECT_NE(metrics.body.find("poki_ideas_model_calls_total 2"), std::string::npos)
        << metrics.body;
    EXPECT_NE(metrics.body.find("poki_ideas_model_tokens_total 642"), std::string::npos);
    EXPECT_NE(metrics.body.find("poki_ideas_fallbacks_total 1"), std::string::npos);
    EXPECT_EQ(server.log().find("sk-test-secret"), std::string::npos);
}

}  // namespace
}  // namespace poki::test
