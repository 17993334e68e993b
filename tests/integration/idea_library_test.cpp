// The offline library as migrated: at least 300 ideas, every one of a catalog tag and one of
// the three bands, every catalog tag with ideas in every band; and the service's answers
// drawn from it (a known tag's own ideas, a free tag's from every tag).
#include <set>

#include <gtest/gtest.h>

#include "poki/ideas/idea_service.hpp"
#include "poki/ideas/idea_tags.hpp"
#include "poki/notify/event_service.hpp"

#include "support/service_stack.hpp"

namespace poki::ideas {
namespace {

class IdeaLibraryTest : public ::testing::Test {
  protected:
    IdeaLibraryTest() {
        const auto family = stack_.add_family("ours").id;
        mom_ = stack_.add_member(family, role::parent, "mom");
        events_ = std::make_unique<notify::event_service>(
            *stack_.pool, *stack_.reads, *stack_.redis, events_config_, push_config_);
        missions_ = std::make_unique<missions::mission_service>(
            stack_.ioc, *stack_.pool, *stack_.reads, *events_, missions_config_);
        model_ = std::make_unique<model_client>(stack_.ioc, ideas_config_, 10);
        ideas_ = std::make_unique<idea_service>(*stack_.pool, *stack_.reads, *missions_,
                                                *stack_.redis, *model_, ideas_config_);
    }

    test::service_stack stack_;
    events_config events_config_;
    push_config push_config_;
    missions_config missions_config_;
    ideas_config ideas_config_;  // no provider_url: the library only
    std::unique_ptr<notify::event_service> events_;
    std::unique_ptr<missions::mission_service> missions_;
    std::unique_ptr<model_client> model_;
    std::unique_ptr<idea_service> ideas_;
    principal mom_;
};

TEST_F(IdeaLibraryTest, EveryCatalogTagHasIdeasForEveryBandAndNothingElseIsThere) {
    EXPECT_GE(stack_.count("SELECT count(*) FROM mission_ideas"), 300);
    std::string keys;
    for (const auto& tag : tag_catalog()) {
        keys += (keys.empty() ? "'" : ",'") + std::string{tag.key} + "'";
        for (const auto* band : {"3-6", "7-9", "10-13"}) {
            EXPECT_GE(stack_.count("SELECT count(*) FROM mission_ideas WHERE tag = '" +
                                   std::string{tag.key} + "' AND age_band = '" + band + "'"),
                      idea_service::ideas_per_answer)
                << tag.key << " " << band;
        }
    }
    EXPECT_EQ(stack_.count("SELECT count(*) FROM mission_ideas WHERE tag NOT IN (" + keys + ")"),
              0);
    // Rewards a parent would give for a task, within what a mission allows.
    EXPECT_EQ(stack_.count("SELECT count(*) FROM mission_ideas WHERE reward > " +
                           std::to_string(missions_config_.max_reward)),
              0);
}

TEST_F(IdeaLibraryTest, AKnownTagGetsItsOwnIdeasAndAFreeOneIdeasOfSeveralTags) {
    const auto reading =
        stack_.run(ideas_->suggest(mom_, *normalize_tag("reading"), age_band::late_school));
    ASSERT_EQ(reading.items.size(), 5U);
    for (const auto& i : reading.items) {
        EXPECT_EQ(i.tag, "reading");
    }
    std::set<std::string> tags;
    for (int call = 0; call < 10; ++call) {
        const auto free =
            stack_.run(ideas_->suggest(mom_, *normalize_tag("우주 여행"), age_band::preschool));
        ASSERT_EQ(free.items.size(), 5U);
        for (const auto& i : free.items) {
            tags.insert(i.tag);
        }
    }
    EXPECT_GE(tags.size(), 5U);
}

TEST_F(IdeaLibraryTest, AnInstanceReadsATagsIdeasOnceAndAnswersFromItsCopy) {
    const auto queries = [&] {
        std::string metrics;
        stack_.reads->render_metrics(metrics);
        const std::string name = "\npoki_db_pipeline_queries_total ";
        const auto at = metrics.find(name);
        return at == std::string::npos ? -1.0 : std::stod(metrics.substr(at + name.size()));
    };
    const auto reading = *normalize_tag("독서");
    ASSERT_EQ(stack_.run(ideas_->suggest(mom_, reading, age_band::early_school)).items.size(), 5U);
    const auto read_once = queries();
    ASSERT_GT(read_once, 0.0);
    std::set<std::string> seen;
    for (int call = 0; call < 40; ++call) {
        const auto answer = stack_.run(ideas_->suggest(mom_, reading, age_band::early_school));
        EXPECT_EQ(answer.source, "library");
        std::set<std::string> ids;
        for (const auto& i : answer.items) {
            EXPECT_EQ(i.tag, "reading");
            ids.insert(i.id);
            seen.insert(i.id);
        }
        EXPECT_EQ(ids.size(), 5U) << "an idea twice in one answer";
    }
    EXPECT_EQ(queries(), read_once) << "answers from the copy asked PostgreSQL";
    // Five of seven forty times: missing any one idea has a chance of (2/7)^40.
    EXPECT_EQ(static_cast<std::int64_t>(seen.size()),
              stack_.count("SELECT count(*) FROM mission_ideas WHERE tag = 'reading'"
                           " AND age_band = '7-9'"));
}

}  // namespace
}  // namespace poki::ideas
