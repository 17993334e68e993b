// gifts/gift_routes: which web addresses a wishlist item may link to.
#include "poki/gifts/gift_routes.hpp"

#include <gtest/gtest.h>

#include "poki/core/timestamp.hpp"
#include "poki/grapes/grape_events.hpp"
#include "poki/missions/mission_types.hpp"

namespace poki {
namespace {

using std::chrono::milliseconds;

TEST(WebUrl, OnlyHttpAndHttpsWithAHost) {
    EXPECT_TRUE(gifts::is_web_url("https://shop.example.com/p/1?x=y#z"));
    EXPECT_TRUE(gifts::is_web_url("http://localhost:8080/"));
    for (const auto* bad :
         {"ftp://example.com", "javascript:alert(1)", "https://", "example.com", "https://a b.com/",
          "https://user:pw@example.com/", "HTTPS//x", "https://example.com/\n"}) {
        EXPECT_FALSE(gifts::is_web_url(bad)) << bad;
    }
    EXPECT_FALSE(gifts::is_web_url("https://example.com/" + std::string(2000, 'a')));
}

}  // namespace
}  // namespace poki
