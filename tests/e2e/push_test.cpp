// FCM pushes from the real binary to a fake FCM on loopback: the OAuth token request and
// its RS256 JWT, the message, retries on 500 and 429 with Retry-After, deleting a token FCM
// calls unregistered, no push for a connected user or a read event, exactly one send
// across two instances, and push off without credentials.
#include <gtest/gtest.h>
#include <pqxx/pqxx>

#include "support/fake_fcm.hpp"
#include "support/family_api.hpp"
#include "support/running_server.hpp"
#include "support/sse_client.hpp"

namespace poki::test {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

nlohmann::json push_config(fake_fcm& fcm, const std::filesystem::path& dir) {
    return {{"push",
             {{"service_account_file", fcm.write_service_account(dir).string()},
              {"token_endpoint", fcm.token_url()},
              {"send_endpoint", fcm.send_url()},
              {"event_types", "family.member_joined,family.member_removed"},
              {"poll_interval_ms", 200},
              {"retry_base_ms", 100}}}};
}

struct push_fixture {
    own_redis redis;
    fake_fcm fcm;
    std::filesystem::path dir = temp_dir("poki-push");
    running_server server{{.redis_port = redis.port(), .extra = push_config(fcm, dir)}};
    ~push_fixture() { std::filesystem::remove_all(dir); }
    push_fixture() = default;
    push_fixture(const push_fixture&) = delete;
    push_fixture& operator=(const push_fixture&) = delete;
};

std::string register_device(const running_server& server, const member_session& who) {
    std::string token = "fcm-token-" + random_suffix() + ":APA91b";
    const auto r =
        server.request("PUT", "/api/v1/devices/" + token,
                       R"({"platform":"android","app_version":"1.0.0"})", bearer(who.access));
    EXPECT_EQ(r.status, 200) << r.body;
    return token;
}

std::int64_t outbox_size() {
    pqxx::connection c{required_env("TEST_POKI_PG_URL")};
    pqxx::nontransaction tx{c};
    return tx.exec1("SELECT count(*) FROM push_outbox")[0].as<std::int64_t>();
}

std::int64_t count(const std::string& sql, std::int64_t param) {
    pqxx::connection c{required_env("TEST_POKI_PG_URL")};
    pqxx::nontransaction tx{c};
    return tx.exec_params1(sql, param)[0].as<std::int64_t>();
}

TEST(Push, AnOfflineMemberGetsAPushSignedWithTheServiceAccount) {
    push_fixture f;
    const auto mom = parent(f.server);
    const auto token = register_device(f.server, mom);
    const auto kid = child(f.server, mom);

    const auto sends = f.fcm.wait_for_sends(1, seconds{10});
    ASSERT_EQ(sends.size(), 1U) << f.server.log();
    const auto& send = sends[0];
    EXPECT_EQ(send.target, "/v1/projects/poki-test/messages:send");
    EXPECT_EQ(send.headers.at("authorization"), std::string{"Bearer "} + fake_fcm::access_token);
    const auto message = nlohmann::json::parse(send.body)["message"];
    EXPECT_EQ(message["token"], token);
    EXPECT_EQ(message["notification"]["title"], "Poki");
    EXPECT_EQ(message["notification"]["body"], "하늘 joined your family");
    EXPECT_EQ(message["data"]["type"], "family.member_joined");
    EXPECT_EQ(message["data"]["seq"], "1");  // lets an app that got it live drop the duplicate

    const auto tokens = f.fcm.token_requests();
    ASSERT_EQ(tokens.size(), 1U);
    EXPECT_EQ(tokens[0].headers.at("content-type"), "application/x-www-form-urlencoded");
    const std::string prefix =
        "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion=";
    ASSERT_TRUE(tokens[0].body.starts_with(prefix)) << tokens[0].body;
    const auto jwt = tokens[0].body.substr(prefix.size());
    EXPECT_TRUE(f.fcm.signature_valid(jwt));
    EXPECT_FALSE(f.fcm.signature_valid(jwt.substr(0, jwt.size() - 4) + "AAAA"));
    const auto first_dot = jwt.find('.');
    const auto header = nlohmann::json::parse(*crypto::base64url_decode(jwt.substr(0, first_dot)));
    EXPECT_EQ(header["alg"], "RS256");
    EXPECT_EQ(header["kid"], "test-key-1");
    const auto claims = nlohmann::json::parse(
        *crypto::base64url_decode(jwt.substr(first_dot + 1, jwt.rfind('.') - first_dot - 1)));
    EXPECT_EQ(claims["iss"], fake_fcm::client_email);
    EXPECT_EQ(claims["scope"], "https://www.googleapis.com/auth/firebase.messaging");
    EXPECT_EQ(claims["aud"], f.fcm.token_url());
    const auto now =
        std::chrono::duration_cast<seconds>(std::chrono::system_clock::now().time_since_epoch())
            .count();
    EXPECT_NEAR(claims["iat"].get<double>(), static_cast<double>(now), 60.0);
    EXPECT_EQ(claims["exp"].get<std::int64_t>() - claims["iat"].get<std::int64_t>(), 3600);

    // The access token is cached: a second push asks for none.
    remove_member(f.server, mom, kid.id);
    EXPECT_EQ(f.fcm.wait_for_sends(2, seconds{10}).size(), 2U);
    EXPECT_EQ(f.fcm.token_requests().size(), 1U);
    EXPECT_TRUE(eventually([] { return outbox_size() == 0; }, seconds{5}));
    // Device tokens stay out of the log (the access log is written every 100 ms).
    std::this_thread::sleep_for(milliseconds{300});
    const auto log = f.server.log();
    EXPECT_EQ(log.find(token), std::string::npos) << "device tokens stay out of the log";
    EXPECT_NE(log.find("/api/v1/devices/{fcm_token}"), std::string::npos);
}

TEST(Push, FailuresAreRetriedAndRetryAfterIsHonoured) {
    push_fixture f;
    f.fcm.script(
        {{500, R"({"error":{"code":500,"status":"INTERNAL"}})", {}},
         {429,
          R"({"error":{"code":429,"status":"RESOURCE_EXHAUSTED","details":[{"@type":"type.googleapis.com/google.firebase.fcm.v1.FcmError","errorCode":"QUOTA_EXCEEDED"}]}})",
          {{"Retry-After", "2"}}}});
    const auto mom = parent(f.server);
    register_device(f.server, mom);
    (void)child(f.server, mom);
    const auto sends = f.fcm.wait_for_sends(3, seconds{15});
    ASSERT_EQ(sends.size(), 3U) << f.server.log();
    EXPECT_EQ(sends[0].body, sends[2].body);
    // The 429 said two seconds; backoff alone would have retried after ~0.2 s.
    EXPECT_GE(sends[2].at - sends[1].at, milliseconds{1900});
    EXPECT_TRUE(eventually([] { return outbox_size() == 0; }, seconds{5}));
    std::this_thread::sleep_for(milliseconds{500});
    EXPECT_EQ(f.fcm.sends().size(), 3U) << "sent once it succeeded, never again";
}

TEST(Push, ATokenFcmCallsUnregisteredIsDeleted) {
    push_fixture f;
    f.fcm.script(
        {{404,
          R"({"error":{"code":404,"status":"NOT_FOUND","details":[{"@type":"type.googleapis.com/google.firebase.fcm.v1.FcmError","errorCode":"UNREGISTERED"}]}})",
          {}}});
    const auto mom = parent(f.server);
    register_device(f.server, mom);
    (void)child(f.server, mom);
    ASSERT_EQ(f.fcm.wait_for_sends(1, seconds{10}).size(), 1U);
    EXPECT_TRUE(eventually(
        [&] { return count("SELECT count(*) FROM devices WHERE user_id = $1", mom.id) == 0; },
        seconds{5}));
}

TEST(Push, NoPushForAConnectedUserOrAnEventAlreadyRead) {
    push_fixture f;
    const auto mom = parent(f.server);
    register_device(f.server, mom);
    {
        sse_client stream{
            f.server.port(), "/api/v1/events", {{"Authorization", "Bearer " + mom.access}}};
        ASSERT_TRUE(stream.next_of_type("ready", seconds{5}));
        const auto kid = child(f.server, mom);
        ASSERT_TRUE(stream.next_of_type("family.member_joined", seconds{5}));
        EXPECT_TRUE(eventually(
            [&] {
                return count("SELECT count(*) FROM push_outbox WHERE user_id = $1", mom.id) == 0;
            },
            seconds{5}));
        EXPECT_TRUE(f.fcm.sends().empty());
    }
    // Offline now; the first attempt fails, and the event is read before the retry.
    f.fcm.script(
        {{503, R"({"error":{"code":503,"status":"UNAVAILABLE"}})", {{"Retry-After", "2"}}}});
    (void)child(f.server, mom);  // event 2
    ASSERT_EQ(f.fcm.wait_for_sends(1, seconds{10}).size(), 1U);
    const auto read = f.server.request("POST", "/api/v1/notifications/read", R"({"up_to":2})",
                                       bearer(mom.access));
    ASSERT_EQ(read.status, 200) << read.body;
    EXPECT_TRUE(eventually(
        [&] { return count("SELECT count(*) FROM push_outbox WHERE user_id = $1", mom.id) == 0; },
        seconds{10}));
    EXPECT_EQ(f.fcm.sends().size(), 1U);
}

TEST(Push, TwoInstancesSendEachPushExactlyOnce) {
    push_fixture f;
    running_server second{{.redis_port = f.redis.port(), .extra = push_config(f.fcm, f.dir)}};
    const auto mom = parent(f.server);
    register_device(f.server, mom);
    for (int i = 0; i < 5; ++i) {
        // Alternate instances, so both produce and both send.
        const auto& through = i % 2 == 0 ? f.server : second;
        const auto kid = child(through, mom);
        remove_member(through, mom, kid.id);
    }
    const auto sends = f.fcm.wait_for_sends(10, seconds{15});
    ASSERT_EQ(sends.size(), 10U);
    std::set<std::string> seqs;
    for (const auto& s : sends) {
        seqs.insert(nlohmann::json::parse(s.body)["message"]["data"]["seq"].get<std::string>());
    }
    EXPECT_EQ(seqs.size(), 10U);
    std::this_thread::sleep_for(milliseconds{600});
    EXPECT_EQ(f.fcm.sends().size(), 10U);
}

TEST(Push, WithoutCredentialsPushIsOffAndTheServerSaysSoOnce) {
    own_redis redis;
    running_server server{{.redis_port = redis.port()}};
    const auto log = server.log();
    const std::string notice = "push notifications are off";
    const auto first = log.find(notice);
    ASSERT_NE(first, std::string::npos) << log;
    EXPECT_EQ(log.find(notice, first + 1), std::string::npos);
    // Events still happen; the outbox only fills for configured types with devices.
    const auto mom = parent(server);
    register_device(server, mom);
    (void)child(server, mom);
    EXPECT_EQ(count("SELECT count(*) FROM events WHERE user_id = $1", mom.id), 1);
}

}  // namespace
}  // namespace poki::test
