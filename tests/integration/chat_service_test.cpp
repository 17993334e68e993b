// The chat service without HTTP, against a fresh database and a Redis of its own: history
// paged both ways in one statement, a direct room closed to the rest of the family, another
// family's rooms out of reach, retried sends stored once, tombstones and read marks.
#include "poki/chat/chat_service.hpp"

#include <gtest/gtest.h>

#include "poki/chat/message_writer.hpp"
#include "poki/notify/event_service.hpp"

#include "support/service_stack.hpp"

namespace poki::chat {
namespace {

class ChatServiceTest : public ::testing::Test {
  protected:
    ChatServiceTest() {
        const auto ours = stack_.add_family("ours");
        const auto theirs = stack_.add_family("theirs");
        family_room_ = ours.chat_room;
        other_room_ = theirs.chat_room;
        mom_ = stack_.add_member(ours.id, role::parent, "mom");
        kid_ = stack_.add_member(ours.id, role::child, "kid");
        sibling_ = stack_.add_member(ours.id, role::child, "sibling");
        stranger_ = stack_.add_member(theirs.id, role::parent, "stranger");

        events_ = std::make_unique<notify::event_service>(
            *stack_.pool, *stack_.reads, *stack_.redis, events_config_, push_config_);
        writer_ = std::make_unique<message_writer>(stack_.ioc, *stack_.pool, *events_, config_);
        chat_ = std::make_unique<chat_service>(*stack_.pool, *stack_.reads, *events_, *writer_);
    }

    template <class T>
    T run(awaitable<T> task) {
        return stack_.run(std::move(task));
    }

    send_outcome send(const principal& who, std::int64_t room, const std::string& client_id,
                      const std::string& text) {
        return run(chat_->send(who, room, client_id, text));
    }

    message_page history(const principal& who, std::int64_t room,
                         std::optional<std::int64_t> before = {},
                         std::optional<std::int64_t> after = {}, int limit = 50) {
        return run(chat_->history(who, room, before, after, limit));
    }

    static std::vector<std::string> texts(const message_page& p) {
        std::vector<std::string> out;
        for (const auto& m : p.items) {
            out.push_back(m.text.value_or("(deleted)"));
        }
        return out;
    }

    static std::string client_id(int n) {
        // A UUID per send, distinct by its last digits.
        auto digits = std::to_string(n);
        return "00000000-0000-4000-8000-" + std::string(12 - digits.size(), '0') + digits;
    }

    test::service_stack stack_;
    events_config events_config_;
    push_config push_config_;
    chat_config config_;
    std::unique_ptr<notify::event_service> events_;
    std::unique_ptr<message_writer> writer_;
    std::unique_ptr<chat_service> chat_;
    std::int64_t family_room_ = 0;
    std::int64_t other_room_ = 0;
    principal mom_;
    principal kid_;
    principal sibling_;
    principal stranger_;
};

TEST_F(ChatServiceTest, HistoryPagesNewestFirstBackAndOldestFirstForward) {
    EXPECT_TRUE(history(mom_, family_room_).items.empty());  // an empty room is no 404
    for (int i = 1; i <= 5; ++i) {
        ASSERT_TRUE(
            send(i % 2 == 0 ? kid_ : mom_, family_room_, client_id(i), "말 " + std::to_string(i))
                .created);
    }
    const auto newest = history(kid_, family_room_, std::nullopt, std::nullopt, 2);
    EXPECT_EQ(texts(newest), (std::vector<std::string>{"말 5", "말 4"}));
    ASSERT_TRUE(newest.next_cursor.has_value());
    const auto older = history(kid_, family_room_, newest.next_cursor, std::nullopt, 2);
    EXPECT_EQ(texts(older), (std::vector<std::string>{"말 3", "말 2"}));
    const auto oldest = history(kid_, family_room_, older.next_cursor, std::nullopt, 2);
    EXPECT_EQ(texts(oldest), (std::vector<std::string>{"말 1"}));
    EXPECT_FALSE(oldest.next_cursor.has_value());

    // Forward from a message the app already has: what came after, oldest first.
    const auto since = history(mom_, family_room_, std::nullopt, oldest.items[0].id, 3);
    EXPECT_EQ(texts(since), (std::vector<std::string>{"말 2", "말 3", "말 4"}));
    EXPECT_EQ(since.items[0].author_id, kid_.user_id);
    EXPECT_EQ(since.items[0].author_name, "kid");
}

TEST_F(ChatServiceTest, ADirectRoomIsClosedToTheRestOfTheFamilyAndOtherFamilies) {
    const auto direct = run(chat_->open_direct(mom_, kid_.user_id));
    EXPECT_EQ(run(chat_->open_direct(kid_, mom_.user_id)).id, direct.id);  // either way round
    EXPECT_TRUE(history(kid_, direct.id).items.empty());
    ASSERT_TRUE(send(kid_, direct.id, client_id(1), "비밀").created);

    EXPECT_EQ(test::failure_of([&] { (void)history(sibling_, direct.id); }), errc::not_found);
    EXPECT_EQ(test::failure_of([&] { (void)send(sibling_, direct.id, client_id(2), "몰래"); }),
              errc::not_found);
    EXPECT_EQ(test::failure_of([&] { (void)history(stranger_, direct.id); }), errc::not_found);
    EXPECT_EQ(test::failure_of([&] { (void)history(stranger_, family_room_); }), errc::not_found);
    EXPECT_EQ(test::failure_of([&] { (void)history(mom_, other_room_); }), errc::not_found);
    EXPECT_EQ(test::failure_of([&] { (void)history(mom_, 987654321); }), errc::not_found);
    EXPECT_EQ(test::failure_of([&] { (void)run(chat_->open_direct(mom_, stranger_.user_id)); }),
              errc::not_found);
    EXPECT_EQ(texts(history(mom_, direct.id)), (std::vector<std::string>{"비밀"}));
}

TEST_F(ChatServiceTest, ARetriedSendIsStoredOnce) {
    const auto first = send(kid_, family_room_, client_id(7), "한 번만");
    const auto again = send(kid_, family_room_, client_id(7), "한 번만");
    EXPECT_TRUE(first.created);
    EXPECT_FALSE(again.created);
    EXPECT_EQ(again.stored.id, first.stored.id);
    EXPECT_EQ(stack_.count("SELECT count(*) FROM chat_messages"), 1);
}

TEST_F(ChatServiceTest, OnlyTheAuthorDeletesAndTheMessageStaysAsATombstone) {
    const auto sent = send(kid_, family_room_, client_id(1), "지울 말").stored;
    EXPECT_EQ(test::failure_of([&] { run(chat_->remove_message(mom_, family_room_, sent.id)); }),
              errc::forbidden);
    EXPECT_EQ(
        test::failure_of([&] { run(chat_->remove_message(stranger_, family_room_, sent.id)); }),
        errc::not_found);
    run(chat_->remove_message(kid_, family_room_, sent.id));
    run(chat_->remove_message(kid_, family_room_, sent.id));  // again: already a tombstone
    const auto page = history(mom_, family_room_);
    ASSERT_EQ(page.items.size(), 1U);
    EXPECT_FALSE(page.items[0].text.has_value());
    EXPECT_EQ(page.items[0].id, sent.id);
}

TEST_F(ChatServiceTest, ReadMarksNeverMoveBackAndCountUnread) {
    for (int i = 1; i <= 3; ++i) {
        (void)send(mom_, family_room_, client_id(i), "숙제 했니? " + std::to_string(i));
    }
    const auto unread_of = [&](const principal& who) {
        for (const auto& r : run(chat_->rooms(who, std::nullopt, 50)).items) {
            if (r.info.id == family_room_) {
                return r.unread;
            }
        }
        ADD_FAILURE() << "the family room is missing";
        return std::int64_t{-1};
    };
    EXPECT_EQ(unread_of(kid_), 3);
    EXPECT_EQ(unread_of(mom_), 0);  // one's own messages are not unread
    EXPECT_EQ(run(chat_->mark_read(kid_, family_room_, 2)), 2);
    EXPECT_EQ(unread_of(kid_), 1);
    EXPECT_EQ(run(chat_->mark_read(kid_, family_room_, 1)), 2);   // never back
    EXPECT_EQ(run(chat_->mark_read(kid_, family_room_, 99)), 3);  // never past the newest
    EXPECT_EQ(unread_of(kid_), 0);
}

TEST_F(ChatServiceTest, RoomsComeMostRecentFirstInPages) {
    const auto with_kid = run(chat_->open_direct(mom_, kid_.user_id)).id;
    const auto with_sibling = run(chat_->open_direct(mom_, sibling_.user_id)).id;
    (void)send(mom_, with_kid, client_id(1), "첫째");
    (void)send(mom_, family_room_, client_id(2), "모두");
    (void)send(mom_, with_sibling, client_id(3), "막내");

    const auto first = run(chat_->rooms(mom_, std::nullopt, 2));
    ASSERT_EQ(first.items.size(), 2U);
    EXPECT_EQ(first.items[0].info.id, with_sibling);
    EXPECT_EQ(first.items[1].info.id, family_room_);
    ASSERT_TRUE(first.next_cursor.has_value());
    const auto rest = run(chat_->rooms(mom_, first.next_cursor, 2));
    ASSERT_EQ(rest.items.size(), 1U);
    EXPECT_EQ(rest.items[0].info.id, with_kid);
    ASSERT_TRUE(rest.items[0].last.has_value());
    EXPECT_EQ(rest.items[0].last->text, std::optional<std::string>{"첫째"});
    EXPECT_FALSE(rest.next_cursor.has_value());
    // The sibling sees the family room and their own direct room, not the kid's.
    EXPECT_EQ(run(chat_->rooms(sibling_, std::nullopt, 50)).items.size(), 2U);
}

}  // namespace
}  // namespace poki::chat
