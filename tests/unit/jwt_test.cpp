// auth/jwt: signing, verifying, key rotation and every way a token is refused.
#include "poki/auth/jwt.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "poki/auth/password.hpp"
#include "poki/core/crypto.hpp"

namespace poki::auth {

using crypto::base64url_decode;
using crypto::base64url_encode;
using crypto::hmac_sha256;
using crypto::random_bytes;
namespace {

auth_config keys(std::string secret, std::string id = "k1", std::string previous = {}) {
    auth_config cfg;
    cfg.jwt_secret = std::move(secret);
    cfg.jwt_key_id = std::move(id);
    cfg.jwt_previous_keys = std::move(previous);
    return cfg;
}

std::string secret_of(char c) {
    std::string key(32, c);
    return key;
}
std::string secret_a() {
    return secret_of('a');
}
std::string secret_b() {
    return secret_of('b');
}

access_claims sample(std::int64_t exp = 2000) {
    return access_claims{principal{7, 3, role::child, 2}, 1000, exp};
}

TEST(Jwt, SignsAndVerifies) {
    const jwt_codec codec{keys(secret_a())};
    const auto token = codec.sign(sample());
    const auto claims = codec.verify(token, 1500);
    ASSERT_TRUE(claims);
    EXPECT_EQ(claims->who.user_id, 7);
    EXPECT_EQ(claims->who.family_id, 3);
    EXPECT_EQ(claims->who.role, role::child);
    EXPECT_EQ(claims->who.session_generation, 2);
}

TEST(Jwt, RejectsExpiredTamperedAndForeignTokens) {
    const jwt_codec codec{keys(secret_a())};
    const auto token = codec.sign(sample(2000));
    EXPECT_FALSE(codec.verify(token, 2000));
    EXPECT_FALSE(codec.verify(jwt_codec{keys(secret_b())}.sign(sample()), 1500));

    // Change the role in the payload, keep the signature.
    const auto dot1 = token.find('.');
    const auto dot2 = token.find('.', dot1 + 1);
    auto payload =
        nlohmann::json::parse(*base64url_decode(token.substr(dot1 + 1, dot2 - dot1 - 1)));
    payload["role"] = "parent";
    const auto forged =
        token.substr(0, dot1 + 1) + base64url_encode(payload.dump()) + token.substr(dot2);
    EXPECT_FALSE(codec.verify(forged, 1500));

    // alg "none" with no signature.
    const auto none = base64url_encode(R"({"alg":"none","kid":"k1"})") + "." +
                      token.substr(dot1 + 1, dot2 - dot1 - 1) + ".";
    EXPECT_FALSE(codec.verify(none, 1500));
    EXPECT_FALSE(codec.verify("not.a.jwt", 1500));
    EXPECT_FALSE(codec.verify("", 1500));
    EXPECT_EQ(codec.verify(token, 3000).error().code(), errc::unauthorized);
}

TEST(Jwt, RotatedKeysStillVerifyButNeverSign) {
    const jwt_codec old_codec{keys(secret_a(), "k1")};
    const auto old_token = old_codec.sign(sample());
    const jwt_codec rotated{keys(secret_b(), "k2", "k1:" + secret_a())};
    EXPECT_TRUE(rotated.verify(old_token, 1500));
    EXPECT_FALSE(old_codec.verify(rotated.sign(sample()), 1500));
    EXPECT_THROW(jwt_codec{keys(secret_b(), "k2", "k1-without-secret")}, config_error);
}

}  // namespace
}  // namespace poki::auth
