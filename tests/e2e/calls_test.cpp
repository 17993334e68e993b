// TURN and STUN for calls, on the real binary: who gets credentials, and that a real coturn
// holding the same secret relays with them and refuses forged or expired ones.
#include <fstream>
#include <sstream>
#include <thread>

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
    EXPECT_EQ(body["ice_transport_policy"], "all");
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

/// A coturn on loopback with the shared secret, as scripts/run starts one.
class coturn {
  public:
    coturn()
        : dir_{temp_dir("poki-coturn")}
        , port_{free_port()}
        , process_{
              "turnserver",
              {"-n", "--listening-ip=127.0.0.1", "--relay-ip=127.0.0.1",
               "--listening-port=" + std::to_string(port_), "--min-port=49152", "--max-port=65535",
               "--use-auth-secret", "--static-auth-secret=" + std::string{turn_secret},
               "--realm=poki.test", "--no-cli", "--no-tls", "--no-dtls", "--allow-loopback-peers",
               "--db=" + (dir_ / "turndb").string(), "--log-file=stdout", "--simple-log"},
              {},
              dir_ / "turnserver.log"} {}
    ~coturn() { std::filesystem::remove_all(dir_); }
    coturn(const coturn&) = delete;
    coturn& operator=(const coturn&) = delete;

    [[nodiscard]] std::uint16_t port() const { return port_; }

    /// turnutils_uclient allocating with these credentials and sending through the relay
    /// (two clients on loopback, each the other's peer): its exit code, 0 when all went well.
    [[nodiscard]] int allocate(const std::string& username, const std::string& password) const {
        child_process client{"turnutils_uclient",
                             {"-y", "-u", username, "-w", password, "-p", std::to_string(port_),
                              "-n", "5", "-m", "1", "-l", "100", "127.0.0.1"},
                             {},
                             dir_ / "uclient.log"};
        return client.wait(std::chrono::seconds{20}).value_or(-1);
    }

  private:
    std::filesystem::path dir_;
    std::uint16_t port_;
    child_process process_;
};

TEST(Calls, ARealCoturnRelaysWithIssuedCredentialsAndRefusesForgedOrExpiredOnes) {
    const coturn turn;
    running_server server{
        {.extra = {
             {"calls",
              {{"turn_urls", "turn:127.0.0.1:" + std::to_string(turn.port()) + "?transport=udp"},
               {"turn_secret", std::string{turn_secret}}}}}}};
    const auto mom = parent(server);
    const auto r = server.request("GET", "/api/v1/calls/ice-servers", {}, bearer(mom.access));
    ASSERT_EQ(r.status, 200) << r.body;
    const auto body = json_of(r);
    const auto& issued = body["ice_servers"][0];
    const std::string username = issued["username"];
    const std::string password = issued["credential"];

    // coturn may take a moment to open its listener.
    int ok = -1;
    for (int attempt = 0; attempt < 20 && ok != 0; ++attempt) {
        ok = turn.allocate(username, password);
        if (ok != 0) {
            std::this_thread::sleep_for(std::chrono::milliseconds{250});
        }
    }
    EXPECT_EQ(ok, 0) << "coturn refused credentials the server issued";
    EXPECT_NE(turn.allocate(username, "Zm9yZ2VkIHBhc3N3b3Jk"), 0);
    EXPECT_NE(turn.allocate(username.substr(0, username.find(':')) + ":999999", password), 0);
    const auto expired = std::to_string(std::chrono::duration_cast<std::chrono::seconds>(
                                            std::chrono::system_clock::now().time_since_epoch())
                                            .count() -
                                        60) +
                         ":" + std::to_string(mom.id);
    EXPECT_NE(
        turn.allocate(expired, crypto::base64_encode(crypto::hmac_sha1(turn_secret, expired))), 0);
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
