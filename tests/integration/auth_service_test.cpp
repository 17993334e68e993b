// The account service against a fresh database and a real Redis, without HTTP.
#include "poki/auth/auth_service.hpp"

#include <mutex>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <gtest/gtest.h>

#include "poki/core/crypto.hpp"

#include "support/service_stack.hpp"

namespace poki::auth {

using crypto::base64url_encode;
using crypto::random_bytes;
namespace {

class AuthServiceTest : public ::testing::Test {
  protected:
    AuthServiceTest() {
        config_.jwt_secret = std::string(32, 's');
        config_.scrypt_log2_n = 10;
        config_.login_attempts_per_account = 3;
        config_.login_window_s = 2;
        service_ = std::make_unique<auth_service>(*stack_.pool, *stack_.redis, config_);
    }

    template <class T>
    T run(awaitable<T> task) {
        return stack_.run(std::move(task));
    }

    session_tokens signup(const std::string& email) {
        return run(service_->signup(signup_request{email, "correct horse", "Mom", std::nullopt}));
    }

    session_tokens login(const std::string& email, const std::string& password) {
        return run(service_->login(login_request{email, std::nullopt, password}, "127.0.0.9"));
    }

    static errc failure_of(const std::function<void()>& f) { return test::failure_of(f); }

    std::int64_t count(const std::string& sql) const { return stack_.count(sql); }

    static std::string unique_email() {
        return "parent-" + base64url_encode(random_bytes(6)) + "@example.com";
    }

    test::service_stack stack_;
    auth_config config_;
    std::unique_ptr<auth_service> service_;
};

TEST_F(AuthServiceTest, SignupCreatesParentAndFamily) {
    const auto tokens = signup("Mom@Example.com");
    EXPECT_EQ(tokens.user.role, role::parent);
    EXPECT_GT(tokens.user.family_id, 0);
    EXPECT_TRUE(tokens.user.password_hash.empty());
    const auto who = service_->authenticate(tokens.access_token);
    ASSERT_TRUE(who);
    EXPECT_EQ(who->user_id, tokens.user.id);
    EXPECT_EQ(who->family_id, tokens.user.family_id);
    EXPECT_EQ(run(service_->me(*who)).display_name, "Mom");
    // The stored hash is scrypt, never the password.
    EXPECT_EQ(count("SELECT count(*) FROM users WHERE password_hash LIKE '$scrypt$%'"), 1);
    EXPECT_EQ(count("SELECT count(*) FROM users WHERE password_hash LIKE '%correct horse%'"), 0);
}

TEST_F(AuthServiceTest, EmailIsUniqueWhateverItsCase) {
    (void)signup("dad@example.com");
    EXPECT_EQ(failure_of([&] { (void)signup("DAD@example.COM"); }), errc::conflict);
    EXPECT_EQ(count("SELECT count(*) FROM families"), 1);  // the second family was rolled back
}

TEST_F(AuthServiceTest, LoginIsCaseInsensitiveAndVague) {
    (void)signup("aunt@example.com");
    EXPECT_NO_THROW((void)login("AUNT@example.com", "correct horse"));
    std::string wrong_password;
    std::string wrong_email;
    try {
        (void)login("aunt@example.com", "wrong horse");
    } catch (const error& e) {
        wrong_password = e.detail();
        EXPECT_EQ(e.code(), errc::unauthorized);
    }
    try {
        (void)login("nobody@example.com", "correct horse");
    } catch (const error& e) {
        wrong_email = e.detail();
        EXPECT_EQ(e.code(), errc::unauthorized);
    }
    EXPECT_FALSE(wrong_password.empty());
    EXPECT_EQ(wrong_password, wrong_email);
}

TEST_F(AuthServiceTest, RefreshRotatesAndReuseRevokesTheChain) {
    const auto first = signup(unique_email());
    const auto second = run(service_->refresh(first.refresh_token));
    EXPECT_NE(second.refresh_token, first.refresh_token);
    const auto third = run(service_->refresh(second.refresh_token));
    // Replaying an already rotated token: refused, and the newest token dies with it.
    EXPECT_EQ(failure_of([&] { (void)run(service_->refresh(first.refresh_token)); }),
              errc::unauthorized);
    EXPECT_EQ(failure_of([&] { (void)run(service_->refresh(third.refresh_token)); }),
              errc::unauthorized);
    EXPECT_EQ(failure_of([&] { (void)run(service_->refresh("not-a-token")); }), errc::unauthorized);
    EXPECT_EQ(count("SELECT count(*) FROM refresh_tokens WHERE revoked_at IS NULL"), 0);
}

TEST_F(AuthServiceTest, LogoutRevokesOnlyTheCallersChain) {
    const auto mine = signup(unique_email());
    const auto other = signup(unique_email());
    const auto me = *service_->authenticate(mine.access_token);
    run(service_->logout(me, other.refresh_token));  // not mine: ignored
    EXPECT_NO_THROW((void)run(service_->refresh(other.refresh_token)));
    run(service_->logout(me, mine.refresh_token));
    EXPECT_EQ(failure_of([&] { (void)run(service_->refresh(mine.refresh_token)); }),
              errc::unauthorized);
}

TEST_F(AuthServiceTest, LoginAttemptsAreLimitedThenRecover) {
    const auto email = unique_email();
    (void)signup(email);
    for (int i = 0; i < 3; ++i) {
        EXPECT_EQ(failure_of([&] { (void)login(email, "wrong"); }), errc::unauthorized);
    }
    try {
        (void)login(email, "correct horse");
        ADD_FAILURE() << "fourth attempt was let through";
    } catch (const error& e) {
        EXPECT_EQ(e.code(), errc::too_many_requests);
        ASSERT_TRUE(e.retry_after());
        EXPECT_GE(e.retry_after()->count(), 1);
        EXPECT_LE(e.retry_after()->count(), 2);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds{2100});
    EXPECT_NO_THROW((void)login(email, "correct horse"));
}

TEST_F(AuthServiceTest, EverySignInRunsTheSignInHookInItsTransaction) {
    const auto email = unique_email();
    const auto tokens = signup(email);
    std::vector<std::int64_t> signed_in;
    std::mutex m;
    service_->on_sign_in([&](pqxx::transaction_base& tx, std::int64_t user_id) {
        tx.exec_params("UPDATE users SET display_name = 'seen' WHERE id = $1", user_id);
        const std::lock_guard lock{m};
        signed_in.push_back(user_id);
    });
    (void)login(email, "correct horse");
    EXPECT_EQ(failure_of([&] { (void)login(email, "wrong horse"); }), errc::unauthorized);
    ASSERT_EQ(signed_in.size(), 1U);
    EXPECT_EQ(signed_in.front(), tokens.user.id);
    EXPECT_EQ(count("SELECT count(*) FROM users WHERE display_name = 'seen'"), 1);  // committed
}

TEST_F(AuthServiceTest, StreamTicketsWorkOnceAndNotForRemovedMembers) {
    const auto tokens = signup(unique_email());
    const auto who = *service_->authenticate(tokens.access_token);
    const auto ticket = run(service_->issue_stream_ticket(who));
    const auto redeemed = run(service_->redeem_stream_ticket(ticket.ticket));
    ASSERT_TRUE(redeemed);
    EXPECT_EQ(redeemed->user_id, who.user_id);
    EXPECT_EQ(redeemed->family_id, who.family_id);
    EXPECT_FALSE(run(service_->redeem_stream_ticket(ticket.ticket)));  // single use
    EXPECT_FALSE(run(service_->redeem_stream_ticket("made-up")));

    const auto second = run(service_->issue_stream_ticket(who));
    service_->revoked().note_removal(who.user_id);
    EXPECT_FALSE(run(service_->redeem_stream_ticket(second.ticket)));
    EXPECT_EQ(failure_of([&] { (void)service_->authorize(tokens.access_token); }),
              errc::unauthorized);
}

TEST_F(AuthServiceTest, LoggingOutEverywhereEndsOlderSessionsOnly) {
    const auto email = unique_email();
    const auto first = signup(email);
    const auto second = login(email, "correct horse");
    const auto who = *service_->authenticate(first.access_token);
    const auto ticket = run(service_->issue_stream_ticket(who));
    std::vector<std::pair<std::int64_t, std::int64_t>> heard;
    service_->revoked().on_revoked(
        [&heard](std::int64_t user, std::int64_t floor, revocation_source source) {
            EXPECT_EQ(source, revocation_source::here);
            heard.emplace_back(user, floor);
        });

    run(service_->logout_everywhere(who));
    ASSERT_EQ(heard.size(), 1U);
    EXPECT_EQ(heard[0].first, who.user_id);
    EXPECT_EQ(heard[0].second, who.session_generation + 1);
    for (const auto* token : {&first.access_token, &second.access_token}) {
        try {
            (void)service_->authorize(*token);
            ADD_FAILURE() << "a token from before still works";
        } catch (const error& e) {
            EXPECT_EQ(e.code(), errc::unauthorized);
            EXPECT_EQ(e.reason(), "session_ended");
        }
    }
    EXPECT_FALSE(run(service_->redeem_stream_ticket(ticket.ticket)));
    EXPECT_EQ(failure_of([&] { (void)run(service_->refresh(second.refresh_token)); }),
              errc::unauthorized);

    const auto third = login(email, "correct horse");
    const auto now = service_->authorize(third.access_token);
    EXPECT_EQ(now.session_generation, who.session_generation + 1);
    EXPECT_EQ(run(service_->me(now)).id, who.user_id);
    // The floor also reaches an instance that reads it from PostgreSQL.
    auth_service elsewhere{*stack_.pool, *stack_.redis, config_};
    run(elsewhere.revoked().refresh());
    EXPECT_EQ(failure_of([&] { (void)elsewhere.authorize(first.access_token); }),
              errc::unauthorized);
    EXPECT_NO_THROW((void)elsewhere.authorize(third.access_token));
    EXPECT_EQ(heard.size(), 1U);
}

/// Each test gets a Redis of its own: user ids restart in every scratch database, so marks such
/// as revocations must not be shared with other tests.
class AuthWithOwnRedisTest : public AuthServiceTest {};

TEST_F(AuthWithOwnRedisTest, LoginWorksWithRedisDownAndItsLimitStillHolds) {
    const auto email = unique_email();
    (void)signup(email);
    stack_.redis_server.stop();
    stack_.wait_for_redis(false);
    // The counters move into this process: three attempts per account (the test's limit).
    EXPECT_NO_THROW((void)login(email, "correct horse"));
    EXPECT_EQ(failure_of([&] { (void)login(email, "wrong horse"); }), errc::unauthorized);
    EXPECT_EQ(failure_of([&] { (void)login(email, "wrong horse"); }), errc::unauthorized);
    EXPECT_EQ(failure_of([&] { (void)login(email, "correct horse"); }), errc::too_many_requests);
    stack_.redis_server.start();
    stack_.wait_for_redis();
    EXPECT_NO_THROW((void)login(email, "correct horse"));  // Redis counts afresh
}

}  // namespace
}  // namespace poki::auth
