// The family service without HTTP, against a fresh database and a Redis of its own: joining
// with a link code (once, the code given back when the join fails), removing a member (their
// tokens stop at once) and another family's members staying out of reach.
#include "poki/family/family_service.hpp"

#include <gtest/gtest.h>

#include "poki/auth/auth_service.hpp"
#include "poki/core/crypto.hpp"
#include "poki/notify/event_service.hpp"

#include "support/service_stack.hpp"

namespace poki::family {
namespace {

class FamilyServiceTest : public ::testing::Test {
  protected:
    FamilyServiceTest() {
        auth_config_.jwt_secret = std::string(32, 's');
        auth_config_.scrypt_log2_n = 10;
        events_ = std::make_unique<notify::event_service>(
            *stack_.pool, *stack_.reads, *stack_.redis, events_config_, push_config_);
        auth_ = std::make_unique<auth::auth_service>(*stack_.pool, *stack_.redis, auth_config_);
        families_ = std::make_unique<family_service>(*stack_.pool, *stack_.redis, *auth_, *events_);
    }

    template <class T>
    T run(awaitable<T> task) {
        return stack_.run(std::move(task));
    }

    /// A new family's first parent.
    principal parent() {
        const auto email = "mom-" + crypto::base64url_encode(crypto::random_bytes(6)) + "@x.kr";
        const auto tokens =
            run(auth_->signup(auth::signup_request{email, "correct horse", "엄마", std::nullopt}));
        return auth_->authorize(tokens.access_token);
    }

    auth::session_tokens join(const std::string& code, const std::string& login,
                              std::optional<std::string> email = std::nullopt) {
        return run(families_->join(
            join_request{code, "하늘", login, "grape grape", std::move(email)}, "10.0.0.1"));
    }

    std::string child_code(principal who) {
        return run(families_->create_link_code(who, role::child)).code;
    }

    static errc failure_of(const std::function<void()>& f) { return test::failure_of(f); }

    test::service_stack stack_;
    auth_config auth_config_;
    events_config events_config_;
    push_config push_config_;
    std::unique_ptr<notify::event_service> events_;
    std::unique_ptr<auth::auth_service> auth_;
    std::unique_ptr<family_service> families_;
};

TEST_F(FamilyServiceTest, AJoinedChildIsInTheFamilyTheFamilyIsToldAndTheCodeIsSpent) {
    const auto mom = parent();
    const auto code = child_code(mom);
    const auto kid = join(code, "sky");
    EXPECT_EQ(kid.user.role, role::child);
    EXPECT_EQ(kid.user.family_id, mom.family_id);
    EXPECT_FALSE(kid.user.email.has_value());
    EXPECT_EQ(auth_->authorize(kid.access_token).user_id, kid.user.id);

    const auto family = run(families_->get(mom));
    ASSERT_EQ(family.members.size(), 2U);
    const auto told = run(events_->list(mom, std::nullopt, 10));
    ASSERT_FALSE(told.items.empty());
    EXPECT_EQ(told.items.front().event.type, "family.member_joined");

    EXPECT_EQ(failure_of([&] { (void)join(code, "sky2"); }), errc::validation_failed);
}

TEST_F(FamilyServiceTest, AFailedJoinGivesTheCodeBack) {
    const auto mom = parent();
    (void)join(child_code(mom), "taken");
    const auto code = child_code(mom);
    EXPECT_EQ(failure_of([&] { (void)join(code, "taken"); }), errc::conflict);
    const auto parent_code = run(families_->create_link_code(mom, role::parent)).code;
    EXPECT_EQ(failure_of([&] { (void)join(parent_code, "dad"); }), errc::validation_failed);
    EXPECT_EQ(join(code, "free").user.login, "free");
    EXPECT_EQ(join(parent_code, "dad", "dad@x.kr").user.role, role::parent);
    EXPECT_EQ(stack_.count("SELECT count(*) FROM users"), 4);
}

TEST_F(FamilyServiceTest, ARemovedMemberLosesAccessAndOtherFamiliesAreOutOfReach) {
    const auto mom = parent();
    const auto kid = join(child_code(mom), "kid");
    const auto stranger = parent();
    EXPECT_EQ(failure_of([&] { run(families_->remove_member(stranger, kid.user.id)); }),
              errc::not_found);
    EXPECT_EQ(failure_of([&] { (void)run(families_->rename_member(stranger, kid.user.id, "x")); }),
              errc::not_found);
    const principal kid_self{kid.user.id, kid.user.family_id, role::child};
    EXPECT_EQ(failure_of([&] { run(families_->remove_member(kid_self, mom.user_id)); }),
              errc::forbidden);
    EXPECT_EQ(run(families_->rename_member(mom, kid.user.id, "바다")).display_name, "바다");

    run(families_->remove_member(mom, kid.user.id));
    EXPECT_EQ(failure_of([&] { (void)auth_->authorize(kid.access_token); }), errc::unauthorized);
    EXPECT_EQ(run(families_->get(mom)).members.size(), 1U);
    EXPECT_EQ(run(families_->get(stranger)).members.size(), 1U);
}

TEST_F(FamilyServiceTest, AJoinWithRedisDownIsA503AndCreatesNobody) {
    const auto mom = parent();
    const auto code = child_code(mom);
    const auto users_before = stack_.count("SELECT count(*) FROM users");
    stack_.redis_server.stop();
    stack_.wait_for_redis(false);
    EXPECT_EQ(failure_of([&] { (void)join(code, "star"); }), errc::unavailable);
    EXPECT_EQ(stack_.count("SELECT count(*) FROM users"), users_before);
}

}  // namespace
}  // namespace poki::family
