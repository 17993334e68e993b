#include "poki/calls/ice_servers.hpp"

#include <gtest/gtest.h>

#include "poki/calls/calls_json.hpp"

namespace poki::calls {
namespace {

using std::chrono::seconds;
using std::chrono::sys_seconds;

TEST(IceServers, TurnCredentialsFollowCoturnsSharedSecretScheme) {
    // Checked against Python: base64(hmac.new(secret, b"1767225600:42", sha1).digest()).
    const auto c =
        turn_credential_for("coturn-secret-0123456789", 42, sys_seconds{seconds{1767225600}});
    EXPECT_EQ(c.username, "1767225600:42");
    EXPECT_EQ(c.password, "M3k3dT3l+f5Uav6qzGJgdk7zCx0=");
}

TEST(IceServers, StunAsConfiguredAndTurnWithCredentialsThatEnd) {
    calls_config cfg;
    cfg.stun_urls = "stun:stun.poki.example:3478";
    cfg.turn_urls = "turn:turn.poki.example:3478?transport=udp, turns:turn.poki.example:5349";
    cfg.turn_secret = "coturn-secret-0123456789";
    cfg.turn_credential_ttl_s = 600;
    const sys_seconds now{seconds{1767225000}};
    const auto s = ice_servers_for(cfg, 7, now);
    ASSERT_EQ(s.servers.size(), 2U);
    EXPECT_EQ(s.servers[0].urls, std::vector<std::string>{"stun:stun.poki.example:3478"});
    EXPECT_TRUE(s.servers[0].username.empty());
    EXPECT_EQ(s.servers[1].urls.size(), 2U);
    EXPECT_EQ(s.servers[1].username, "1767225600:7");
    EXPECT_EQ(s.expires_at, now + seconds{600});
    const auto body = ice_servers_json(s, now);
    EXPECT_EQ(body["expires_in"], 600);
    EXPECT_EQ(body["ice_servers"][1]["credential"], s.servers[1].credential);
    EXPECT_FALSE(body["ice_servers"][0].contains("credential"));
}

TEST(IceServers, NothingConfiguredIsAnEmptyList) {
    const auto s = ice_servers_for(calls_config{}, 7, sys_seconds{seconds{0}});
    EXPECT_TRUE(s.servers.empty());
}

}  // namespace
}  // namespace poki::calls
