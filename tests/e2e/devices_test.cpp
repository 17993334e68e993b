// Push devices over HTTP.
#include <gtest/gtest.h>
#include <pqxx/pqxx>

#include "poki/core/crypto.hpp"

#include "support/family_api.hpp"
#include "support/running_server.hpp"

namespace poki::test {
namespace {

nlohmann::json signup(const running_server& server) {
    const auto r = server.request(
        "POST", "/api/v1/auth/signup",
        nlohmann::json{
            {"email", "d-" + crypto::base64url_encode(crypto::random_bytes(6)) + "@example.com"},
            {"password", "correct horse"},
            {"display_name", "Mom"}}
            .dump());
    EXPECT_EQ(r.status, 201) << r.body;
    return json_of(r);
}

TEST(Devices, RegisterRefreshMoveAndDelete) {
    running_server server;
    const auto mom = signup(server);
    const auto dad = signup(server);
    const std::string token = "fcm:APA91b" + crypto::base64url_encode(crypto::random_bytes(24));
    const auto path = "/api/v1/devices/" + token;
    const auto put = server.request("PUT", path, R"({"platform":"android","app_version":"1.2.0"})",
                                    bearer(mom["access_token"]));
    ASSERT_EQ(put.status, 200) << put.body;
    EXPECT_EQ(json_of(put)["fcm_token"], token);
    EXPECT_EQ(json_of(put)["platform"], "android");
    // Registered again from another account on the same phone: the token moves.
    EXPECT_EQ(server
                  .request("PUT", path, R"({"platform":"android","app_version":"1.2.1"})",
                           bearer(dad["access_token"]))
                  .status,
              200);
    expect_problem(server.request("DELETE", path, {}, bearer(mom["access_token"])), 404,
                   "not_found");
    EXPECT_EQ(server.request("DELETE", path, {}, bearer(dad["access_token"])).status, 204);
    expect_problem(server.request("DELETE", path, {}, bearer(dad["access_token"])), 404,
                   "not_found");
}

TEST(Devices, SigningInKeepsTheMembersDevicesFromBeingPruned) {
    running_server server;
    const auto email = "d-" + crypto::base64url_encode(crypto::random_bytes(6)) + "@example.com";
    const auto mom = json_of(server.request(
        "POST", "/api/v1/auth/signup",
        nlohmann::json{{"email", email}, {"password", "correct horse"}, {"display_name", "Mom"}}
            .dump()));
    const std::string token = "fcm:APA91b" + crypto::base64url_encode(crypto::random_bytes(24));
    ASSERT_EQ(
        server
            .request("PUT", "/api/v1/devices/" + token,
                     R"({"platform":"ios","app_version":"1.0.0"})", bearer(mom["access_token"]))
            .status,
        200);
    pqxx::connection c{required_env("TEST_POKI_PG_URL")};
    const auto age = [&c, &token] {
        pqxx::nontransaction tx{c};
        return tx
            .exec_params1(
                "SELECT extract(epoch FROM now() - last_seen_at)::int FROM devices"
                " WHERE fcm_token = $1",
                token)[0]
            .as<int>();
    };
    {
        pqxx::nontransaction tx{c};
        tx.exec_params(
            "UPDATE devices SET last_seen_at = now() - interval '50 days' WHERE fcm_token = $1",
            token);
    }
    ASSERT_GT(age(), 49 * 86400);
    const auto login =
        server.request("POST", "/api/v1/auth/login",
                       nlohmann::json{{"email", email}, {"password", "correct horse"}}.dump());
    ASSERT_EQ(login.status, 200) << login.body;
    EXPECT_LT(age(), 60);
}

TEST(Devices, BadInputAndNoTokenAreRefused) {
    running_server server;
    const auto mom = signup(server);
    expect_problem(
        server.request("PUT", "/api/v1/devices/abc", R"({"platform":"ios","app_version":"1"})"),
        401, "unauthorized");
    expect_problem(
        server.request("PUT", "/api/v1/devices/abc", R"({"platform":"palm","app_version":"1"})",
                       bearer(mom["access_token"])),
        422, "validation_failed");
    expect_problem(
        server.request("PUT", "/api/v1/devices/bad%20token",
                       R"({"platform":"ios","app_version":"1"})", bearer(mom["access_token"])),
        422, "validation_failed");
    expect_problem(server.request("PUT", "/api/v1/devices/abc", R"({"platform":"ios")",
                                  bearer(mom["access_token"])),
                   400, "bad_request");
}

}  // namespace
}  // namespace poki::test
