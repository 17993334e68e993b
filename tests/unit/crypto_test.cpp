// core/crypto: base64url both ways and HMAC-SHA256 against known vectors.
#include "poki/core/crypto.hpp"

#include <gtest/gtest.h>

namespace poki::crypto {
namespace {

TEST(Base64Url, RoundTripsEveryLength) {
    for (std::size_t n = 0; n < 40; ++n) {
        const auto bytes = random_bytes(n);
        const auto text = base64url_encode(bytes);
        EXPECT_EQ(text.find_first_of("+/="), std::string::npos);
        EXPECT_EQ(base64url_decode(text), bytes);
    }
    EXPECT_EQ(base64url_encode("hello"), "aGVsbG8");
    EXPECT_EQ(base64url_decode("a"), std::nullopt);
    EXPECT_EQ(base64url_decode("a+b/"), std::nullopt);
    EXPECT_EQ(base64url_decode("aGVsbG9"), std::nullopt);  // non-zero leftover bits
}

TEST(Hmac, MatchesRfc4231Case2) {
    // 5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843, in base64url.
    EXPECT_EQ(base64url_encode(hmac_sha256("Jefe", "what do ya want for nothing?")),
              "W9zBRr9gdU5qBCQmCJV1x1oAPwidJzmDnexYuWTsOEM");
}

TEST(Hmac, Sha1MatchesRfc2202Case2) {
    // effcdf6ae5eb2fa2d27416d5f184df9c259a7c79, in standard base64 (as coturn compares it).
    EXPECT_EQ(base64_encode(hmac_sha1("Jefe", "what do ya want for nothing?")),
              "7/zfauXrL6LSdBbV8YTfnCWafHk=");
}

TEST(Base64, MatchesRfc4648Vectors) {
    EXPECT_EQ(base64_encode(""), "");
    EXPECT_EQ(base64_encode("f"), "Zg==");
    EXPECT_EQ(base64_encode("fo"), "Zm8=");
    EXPECT_EQ(base64_encode("foo"), "Zm9v");
    EXPECT_EQ(base64_encode("foob"), "Zm9vYg==");
    EXPECT_EQ(base64_encode("fooba"), "Zm9vYmE=");
    EXPECT_EQ(base64_encode("foobar"), "Zm9vYmFy");
    EXPECT_EQ(base64_encode(std::string("\xfb\xff", 2)), "+/8=");
}

}  // namespace
}  // namespace poki::crypto
