// The gift service without HTTP, against a fresh database (the seed catalog comes with the
// migrations): search filters, sorts and pages without overlap, answers repeat from the cache,
// and a wishlist is its child's own: siblings and other families stay out, a catalog gift is
// on it once, a retried add with the same key adds nothing.
#include "poki/gifts/gift_service.hpp"

#include <algorithm>
#include <set>

#include <gtest/gtest.h>

#include "poki/notify/event_service.hpp"

#include "support/service_stack.hpp"

namespace poki::gifts {
namespace {

class GiftServiceTest : public ::testing::Test {
  protected:
    GiftServiceTest() {
        const auto ours = stack_.add_family("ours").id;
        const auto theirs = stack_.add_family("theirs").id;
        mom_ = stack_.add_member(ours, role::parent, "mom");
        kid_ = stack_.add_member(ours, role::child, "kid");
        sibling_ = stack_.add_member(ours, role::child, "sibling");
        stranger_ = stack_.add_member(theirs, role::parent, "stranger");
        dinosaur_ = stack_.count(
            "SELECT id FROM gifts WHERE search_text LIKE '%공룡%' ORDER BY id LIMIT 1");

        events_ = std::make_unique<notify::event_service>(
            *stack_.pool, *stack_.reads, *stack_.redis, events_config_, push_config_);
        gifts_ = std::make_unique<gift_service>(*stack_.pool, *stack_.reads, *events_);
    }

    template <class T>
    T run(awaitable<T> task) {
        return stack_.run(std::move(task));
    }

    gift_page search(gift_query q) { return run(gifts_->search(std::move(q))); }

    keyed_answer wish(const principal& who, std::int64_t child_id, new_wish item,
                      std::optional<std::string> key = std::nullopt) {
        std::optional<request_key> scoped;
        if (key) {
            scoped = request_key{who.user_id, *key, "digest of " + *key};  // one key, one request
        }
        return run(gifts_->add_wish(who, child_id, std::move(item), std::move(scoped)));
    }

    test::service_stack stack_;
    events_config events_config_;
    push_config push_config_;
    std::unique_ptr<notify::event_service> events_;
    std::unique_ptr<gift_service> gifts_;
    principal mom_;
    principal kid_;
    principal sibling_;
    principal stranger_;
    std::int64_t dinosaur_ = 0;
};

TEST_F(GiftServiceTest, SearchFiltersSortsAndPagesWithoutOverlap) {
    gift_query q;
    q.text = "공룡";
    q.max_price = 50000;
    q.sort = gift_sort::price_asc;
    q.limit = 3;
    const auto first = search(q);
    ASSERT_FALSE(first.items.empty());
    ASSERT_TRUE(first.next_cursor.has_value());
    q.offset = static_cast<int>(*first.next_cursor);
    const auto second = search(q);

    std::set<std::int64_t> seen;
    int previous_price = 0;
    for (const auto* p : {&first, &second}) {
        for (const auto& g : p->items) {
            EXPECT_TRUE(seen.insert(g.id).second) << "gift " << g.id << " on two pages";
            EXPECT_LE(g.price_won, 50000);
            EXPECT_GE(g.price_won, previous_price);  // ascending across the pages
            previous_price = g.price_won;
        }
    }
    // A typo still finds the dinosaurs (the trigram threshold set on every connection).
    gift_query typo;
    typo.text = "dinosuar";
    const auto found = search(typo);
    EXPECT_TRUE(std::any_of(found.items.begin(), found.items.end(),
                            [this](const gift& g) { return g.id == dinosaur_; }));
}

TEST_F(GiftServiceTest, ARepeatedSearchIsAnsweredFromTheCache) {
    gift_query q;
    q.category = "toys";
    const auto once = search(q);
    const auto twice = search(q);
    ASSERT_EQ(once.items.size(), twice.items.size());
    for (std::size_t i = 0; i < once.items.size(); ++i) {
        EXPECT_EQ(once.items[i].id, twice.items[i].id);
    }
    std::string metrics;
    gifts_->render_metrics(metrics);
    EXPECT_NE(metrics.find("poki_gift_search_cache_hits_total 1"), std::string::npos) << metrics;
    EXPECT_NE(metrics.find("poki_gift_search_cache_misses_total 1"), std::string::npos) << metrics;
}

TEST_F(GiftServiceTest, AGiftIsFoundByIdAndAMissingOneIsNotFound) {
    EXPECT_EQ(run(gifts_->get(dinosaur_)).id, dinosaur_);
    EXPECT_EQ(test::failure_of([&] { (void)run(gifts_->get(987654321)); }), errc::not_found);
}

TEST_F(GiftServiceTest, AWishlistIsTheChildsOwn) {
    new_wish from_catalog;
    from_catalog.gift_id = dinosaur_;
    EXPECT_TRUE(wish(kid_, kid_.user_id, from_catalog).created);
    EXPECT_FALSE(wish(kid_, kid_.user_id, from_catalog).created);  // on the list once
    new_wish own;
    own.name = "자전거";
    EXPECT_TRUE(wish(kid_, kid_.user_id, own).created);

    const auto list = run(gifts_->wishlist(mom_, kid_.user_id, std::nullopt, 50));
    ASSERT_EQ(list.items.size(), 2U);
    EXPECT_EQ(list.items[0].gift_id, std::optional<std::int64_t>{dinosaur_});
    EXPECT_EQ(list.items[1].name, "자전거");

    EXPECT_EQ(test::failure_of(
                  [&] { (void)run(gifts_->wishlist(sibling_, kid_.user_id, std::nullopt, 50)); }),
              errc::forbidden);
    EXPECT_EQ(test::failure_of(
                  [&] { (void)run(gifts_->wishlist(stranger_, kid_.user_id, std::nullopt, 50)); }),
              errc::not_found);
    EXPECT_EQ(test::failure_of([&] { (void)wish(mom_, kid_.user_id, own); }), errc::forbidden);
    EXPECT_EQ(test::failure_of([&] { (void)wish(stranger_, kid_.user_id, own); }), errc::not_found);
    EXPECT_EQ(test::failure_of(
                  [&] { run(gifts_->remove_wish(sibling_, kid_.user_id, list.items[1].id)); }),
              errc::forbidden);
    run(gifts_->remove_wish(kid_, kid_.user_id, list.items[1].id));
    EXPECT_EQ(run(gifts_->wishlist(kid_, kid_.user_id, std::nullopt, 50)).items.size(), 1U);
}

TEST_F(GiftServiceTest, ARetriedAddWithTheSameKeyAddsNothing) {
    new_wish own;
    own.name = "레고";
    const auto first = wish(kid_, kid_.user_id, own, "key-1");
    const auto again = wish(kid_, kid_.user_id, own, "key-1");
    EXPECT_TRUE(first.created);
    EXPECT_TRUE(again.repeated);
    EXPECT_EQ(again.body, first.body);
    EXPECT_EQ(stack_.count("SELECT count(*) FROM wishlist_items"), 1);
    EXPECT_TRUE(wish(kid_, kid_.user_id, own, "key-2").created);  // another key: another item
}

TEST_F(GiftServiceTest, AWishlistHoldsAtMostAHundredItems) {
    for (int i = 0; i < 100; ++i) {
        new_wish item;
        item.name = "선물 " + std::to_string(i);
        ASSERT_TRUE(wish(kid_, kid_.user_id, item).created);
    }
    new_wish one_more;
    one_more.name = "하나 더";
    EXPECT_EQ(test::failure_of([&] { (void)wish(kid_, kid_.user_id, one_more); }), errc::conflict);
}

}  // namespace
}  // namespace poki::gifts
