// http/client: parsing the URLs the outgoing client is given.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "poki/http/client.hpp"
#include "poki/notify/fcm_client.hpp"
#include "poki/notify/sse_format.hpp"

namespace poki::notify {
namespace {

TEST(HttpClient, UrlsAreParsedStrictly) {
    const auto u = http::parse_url("https://fcm.googleapis.com/v1/projects/p/messages:send");
    ASSERT_TRUE(u);
    EXPECT_TRUE(u->tls);
    EXPECT_EQ(u->host, "fcm.googleapis.com");
    EXPECT_EQ(u->port, "443");
    EXPECT_EQ(u->target, "/v1/projects/p/messages:send");
    const auto local = http::parse_url("http://127.0.0.1:8099");
    ASSERT_TRUE(local);
    EXPECT_FALSE(local->tls);
    EXPECT_EQ(local->port, "8099");
    EXPECT_EQ(local->target, "/");
    EXPECT_FALSE(http::parse_url("ftp://x/"));
    EXPECT_FALSE(http::parse_url("http:///path"));
    EXPECT_FALSE(http::parse_url("http://user:pw@host/"));
    EXPECT_FALSE(http::parse_url("http://host:80x/"));
}

}  // namespace
}  // namespace poki::notify
