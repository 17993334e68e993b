// Accounts over HTTP on the real binary: tokens, their rotation, limits, and what the log keeps.
#include <csignal>

#include <gtest/gtest.h>

#include "poki/core/crypto.hpp"

#include "support/running_server.hpp"

namespace poki::test {
namespace {

std::string unique_email() {
    return "e2e-" + crypto::base64url_encode(crypto::random_bytes(6)) + "@example.com";
}

struct account {
    std::string email;
    std::string password = "correct horse battery";
    std::string access;
    std::string refresh;
};

account sign_up(const running_server& server) {
    account a;
    a.email = unique_email();
    const auto r = server.request(
        "POST", "/api/v1/auth/signup",
        nlohmann::json{{"email", a.email}, {"password", a.password}, {"display_name", "아빠"}}
            .dump());
    EXPECT_EQ(r.status, 201) << r.body;
    const auto body = json_of(r);
    a.access = body["access_token"];
    a.refresh = body["refresh_token"];
    EXPECT_EQ(body["token_type"], "Bearer");
    EXPECT_EQ(body["user"]["role"], "parent");
    EXPECT_FALSE(body["user"].contains("password_hash"));
    return a;
}

std::map<std::string, std::string> bearer(const std::string& token) {
    return {{"Authorization", "Bearer " + token}};
}

TEST(Auth, SignupLoginMeRefreshLogout) {
    running_server server;
    auto a = sign_up(server);

    const auto me = server.request("GET", "/api/v1/me", {}, bearer(a.access));
    ASSERT_EQ(me.status, 200) << me.body;
    EXPECT_EQ(json_of(me)["email"], a.email);
    EXPECT_EQ(json_of(me)["display_name"], "아빠");

    const auto login =
        server.request("POST", "/api/v1/auth/login",
                       nlohmann::json{{"email", a.email}, {"password", a.password}}.dump());
    ASSERT_EQ(login.status, 200) << login.body;

    const auto rotated = server.request("POST", "/api/v1/auth/refresh",
                                        nlohmann::json{{"refresh_token", a.refresh}}.dump());
    ASSERT_EQ(rotated.status, 200) << rotated.body;
    const std::string next_refresh = json_of(rotated)["refresh_token"];
    const std::string next_access = json_of(rotated)["access_token"];

    // The old refresh token is spent; replaying it revokes the new one too.
    expect_problem(server.request("POST", "/api/v1/auth/refresh",
                                  nlohmann::json{{"refresh_token", a.refresh}}.dump()),
                   401, "unauthorized");
    expect_problem(server.request("POST", "/api/v1/auth/refresh",
                                  nlohmann::json{{"refresh_token", next_refresh}}.dump()),
                   401, "unauthorized");

    // Logout revokes the chain of a fresh login.
    const auto again = json_of(
        server.request("POST", "/api/v1/auth/login",
                       nlohmann::json{{"email", a.email}, {"password", a.password}}.dump()));
    const auto out = server.request(
        "POST", "/api/v1/auth/logout",
        nlohmann::json{{"refresh_token", again["refresh_token"]}}.dump(), bearer(next_access));
    EXPECT_EQ(out.status, 204);
    expect_problem(server.request("POST", "/api/v1/auth/refresh",
                                  nlohmann::json{{"refresh_token", again["refresh_token"]}}.dump()),
                   401, "unauthorized");
}

TEST(Auth, MissingWrongAndForeignTokensAre401) {
    running_server server;
    const auto none = server.request("GET", "/api/v1/me");
    expect_problem(none, 401, "unauthorized");
    EXPECT_EQ(none.header("www-authenticate"), "Bearer");
    expect_problem(server.request("GET", "/api/v1/me", {}, bearer("garbage")), 401, "unauthorized");
    expect_problem(
        server.request("GET", "/api/v1/me", {}, {{"Authorization", "Basic dXNlcjpwYXNz"}}), 401,
        "unauthorized");
    // Signed with another key (alg HS256, kid k1) — a token from some other deployment.
    const std::string foreign =
        "eyJhbGciOiJIUzI1NiIsImtpZCI6ImsxIiwidHlwIjoiSldUIn0."
        "eyJleHAiOjQxMDI0NDQ4MDAsImZhbSI6MSwiaWF0IjoxLCJyb2xlIjoicGFyZW50Iiwic3ViIjoiMSJ9."
        "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
    expect_problem(server.request("GET", "/api/v1/me", {}, bearer(foreign)), 401, "unauthorized");
}

TEST(Auth, BadInputIsNamed) {
    running_server server;
    const auto field_of = [](const http_reply& r) {
        const auto body = json_of(r);
        return body["errors"][0]["field"].get<std::string>();
    };
    const auto bad_email = server.request(
        "POST", "/api/v1/auth/signup",
        R"({"email":"not-an-email","password":"long enough pw","display_name":"Mom"})");
    expect_problem(bad_email, 422, "validation_failed");
    EXPECT_EQ(field_of(bad_email), "email");
    const auto short_pw =
        server.request("POST", "/api/v1/auth/signup",
                       R"({"email":"a@example.com","password":"short","display_name":"Mom"})");
    expect_problem(short_pw, 422, "validation_failed");
    EXPECT_EQ(field_of(short_pw), "password");
    EXPECT_NE(short_pw.body.find("at least 8 characters"), std::string::npos);
    expect_problem(server.request("POST", "/api/v1/auth/login",
                                  R"({"email":"a@example.com","login":"kid","password":"x"})"),
                   422, "validation_failed");
    expect_problem(server.request("POST", "/api/v1/auth/login", R"({"email":)"), 400,
                   "bad_request");
    expect_problem(server.request("POST", "/api/v1/auth/refresh", R"({"refresh_token":42})"), 422,
                   "validation_failed");

    auto a = sign_up(server);
    expect_problem(server.request("POST", "/api/v1/auth/signup",
                                  nlohmann::json{{"email", a.email},
                                                 {"password", "another password"},
                                                 {"display_name", "Twin"}}
                                      .dump()),
                   409, "conflict");
}

TEST(Auth, LoginAttemptsAreLimited) {
    running_server server{{.extra = {{"auth", {{"login_attempts_per_account", 2}}}}}};
    auto a = sign_up(server);
    const auto attempt = [&](const std::string& pw) {
        return server.request("POST", "/api/v1/auth/login",
                              nlohmann::json{{"email", a.email}, {"password", pw}}.dump());
    };
    expect_problem(attempt("wrong 1"), 401, "unauthorized");
    expect_problem(attempt("wrong 2"), 401, "unauthorized");
    const auto limited = attempt(a.password);  // even the right password waits now
    expect_problem(limited, 429, "too_many_requests");
    EXPECT_FALSE(limited.header("retry-after").empty());
    EXPECT_GT(std::stoi(limited.header("retry-after")), 0);
}

TEST(Auth, SecretsNeverReachTheLog) {
    running_server server;
    auto a = sign_up(server);
    const auto login = json_of(
        server.request("POST", "/api/v1/auth/login",
                       nlohmann::json{{"email", a.email}, {"password", a.password}}.dump()));
    (void)server.request(
        "POST", "/api/v1/auth/login",
        nlohmann::json{{"email", a.email}, {"password", "a wrong secret pw"}}.dump());
    (void)server.request("GET", "/api/v1/me", {}, bearer(a.access));
    (void)server.request("POST", "/api/v1/auth/refresh",
                         nlohmann::json{{"refresh_token", a.refresh}}.dump());
    server.process().signal(SIGTERM);
    EXPECT_EQ(server.process().wait(std::chrono::seconds{10}), 0);
    const auto log = server.log();
    EXPECT_NE(log.find("/api/v1/auth/login"), std::string::npos)
        << "the requests were not logged at all";
    const std::vector<std::string> secrets{a.password,
                                           "a wrong secret pw",
                                           a.access,
                                           a.refresh,
                                           login["access_token"].get<std::string>(),
                                           login["refresh_token"].get<std::string>()};
    for (const auto& secret : secrets) {
        EXPECT_EQ(log.find(secret), std::string::npos) << "found a secret in the log";
    }
}

}  // namespace
}  // namespace poki::test
