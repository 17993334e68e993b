// TURN and STUN for calls, on the real binary: who gets credentials, and that a TURN server
// holding the same secret would accept them.
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "poki/core/crypto.hpp"

#include "support/family_api.hpp"

namespace poki::test {
namespace {

constexpr std::string_view turn_secret = "e2e-coturn-static-auth-secret";

TEST(Calls, MembersGetIceServersWithTurnCredentialsThatEnd) {
    running_server server{{.extra = {{"calls",
                                      {{"stun_urls", "stun:127.0.0.1:3478"},
                                       {"turn_urls", "turn:127.0.0.1:3478?transport=udp"},
                                       {"turn_secret", std::string{turn_secret}},
                                       {"turn_credential_ttl_s", 900}}}}}};
    expect_problem(server.request("GET", "/api/v1/calls/ice-servers"), 401, "unauthorized");
    const auto mom = parent(server);
    const auto before = std::chrono::system_clock::now();
    const auto r = server.request("GET", "/api/v1/calls/ice-servers", {}, bearer(mom.access));
    ASSERT_EQ(r.status, 200) << r.body;
    const auto body = json_of(r);
    EXPECT_EQ(body["expires_in"], 900);
    ASSERT_EQ(body["ice_servers"].size(), 2U) << r.body;
    EXPECT_EQ(body["ice_servers"][0]["urls"][0], "stun:127.0.0.1:3478");
    const auto& turn = body["ice_servers"][1];
    EXPECT_EQ(turn["urls"][0], "turn:127.0.0.1:3478?transport=udp");
    // "<expiry>:<user id>", the expiry ttl seconds from now; the password as coturn checks it.
    const std::string username = turn["username"];
    const auto colon = username.find(':');
    ASSERT_NE(colon, std::string::npos);
    EXPECT_EQ(username.substr(colon + 1), std::to_string(mom.id));
    const auto expiry = std::stoll(username.substr(0, colon));
    const auto expected =
        std::chrono::duration_cast<std::chrono::seconds>(before.time_since_epoch()).count() + 900;
    EXPECT_NEAR(static_cast<double>(expiry), static_cast<double>(expected), 5.0);
    EXPECT_EQ(turn["credential"], crypto::base64_encode(crypto::hmac_sha1(turn_secret, username)));
    EXPECT_EQ(server.log().find(std::string{turn_secret}), std::string::npos);
}

TEST(Calls, TurnWithoutASecretOrABadUrlStopsStartUp) {
    const auto dir = temp_dir("poki-calls-cfg");
    const auto refused = [&](const nlohmann::json& calls, const std::string& said) {
        std::ofstream{dir / "poki.json"}
            << nlohmann::json{{"mode", "development"}, {"calls", calls}}.dump();
        child_process process{POKI_TEST_BINARY,
                              {"serve", "--config", (dir / "poki.json").string()},
                              {},
                              dir / "out.log"};
        EXPECT_EQ(process.wait(std::chrono::seconds{10}), 2);
        std::ifstream in{dir / "out.log"};
        std::stringstream text;
        text << in.rdbuf();
        EXPECT_NE(text.str().find(said), std::string::npos) << text.str();
    };
    refused({{"turn_urls", "turn:turn.example:3478"}}, "calls.turn_secret");
    refused({{"stun_urls", "http://stun.example"}}, "calls.stun_urls");
    std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace poki::test
