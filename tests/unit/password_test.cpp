// auth/password: scrypt hashes, their checks and their stored form.
#include "poki/auth/password.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "poki/auth/jwt.hpp"
#include "poki/core/crypto.hpp"

namespace poki::auth {

using crypto::base64url_decode;
using crypto::base64url_encode;
using crypto::hmac_sha256;
using crypto::random_bytes;
namespace {

TEST(Password, HashesVerifyAndCarryTheirCost) {
    const auto hash = hash_password("correct horse battery", 10);
    EXPECT_TRUE(hash.starts_with("$scrypt$ln=10,r=8,p=1$"));
    EXPECT_TRUE(verify_password("correct horse battery", hash));
    EXPECT_FALSE(verify_password("correct horse battery!", hash));
    EXPECT_NE(hash, hash_password("correct horse battery", 10));  // salted
    EXPECT_TRUE(needs_rehash(hash, 11));
    EXPECT_FALSE(needs_rehash(hash, 10));
    EXPECT_FALSE(verify_password("x", "$2b$10$notascrypthash"));
    EXPECT_FALSE(verify_password("x", "$scrypt$ln=10,r=8,p=1$broken"));
}

}  // namespace
}  // namespace poki::auth
