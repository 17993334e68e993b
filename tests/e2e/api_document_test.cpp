// GET /api/v1/openapi.json serves the document this build made from api/openapi.yaml, and
// revalidates by its ETag.
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "support/running_server.hpp"

namespace poki::test {
namespace {

TEST(ApiDocument, TheServerServesTheDocumentItWasBuiltWith) {
    running_server server;
    const auto r = server.request("GET", "/api/v1/openapi.json");
    ASSERT_EQ(r.status, 200);
    EXPECT_EQ(r.header("content-type"), "application/json");
    EXPECT_EQ(r.header("cache-control"), "no-cache");
    std::ifstream built{POKI_TEST_OPENAPI};
    std::stringstream text;
    text << built.rdbuf();
    EXPECT_EQ(r.body, text.str());
    const auto document = nlohmann::json::parse(r.body);
    EXPECT_EQ(document["info"]["title"], "Poki API");
    EXPECT_TRUE(document["paths"].contains("/api/v1/missions"));

    const auto etag = r.header("etag");
    ASSERT_FALSE(etag.empty());
    const auto again = server.request("GET", "/api/v1/openapi.json", {}, {{"If-None-Match", etag}});
    EXPECT_EQ(again.status, 304);
    EXPECT_TRUE(again.body.empty());
    EXPECT_EQ(again.header("etag"), etag);
    EXPECT_EQ(
        server.request("GET", "/api/v1/openapi.json", {}, {{"If-None-Match", "\"other\""}}).status,
        200);
}

}  // namespace
}  // namespace poki::test
