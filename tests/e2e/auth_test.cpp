// Accounts over HTTP on the real binary: tokens, their rotation, limits, and what the log keeps.
#include <csignal>

#include <gtest/gtest.h>

#include "poki/core/crypto.hpp"

#include "support/family_api.hpp"
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

/// What a browser page on this server sends when it asks for a cookie session.
std::map<std::string, std::string> browser(std::map<std::string, std::string> h = {}) {
    h.emplace("X-Poki-Session", "cookie");
    h.emplace("Origin", "http://127.0.0.1");
    return h;
}

/// The refresh token a Set-Cookie header carries ("poki_refresh=<token>; Path=…").
std::string cookie_token(const http_reply& r) {
    const auto set = r.header("set-cookie");
    const auto start = set.find('=') + 1;
    return set.substr(start, set.find(';') - start);
}

TEST(Auth, BrowserSessionsKeepTheRefreshTokenInAStrictHttpOnlyCookie) {
    running_server server;
    const auto email = unique_email();
    const auto signup = server.request(
        "POST", "/api/v1/auth/signup",
        nlohmann::json{
            {"email", email}, {"password", "correct horse battery"}, {"display_name", "엄마"}}
            .dump(),
        browser());
    ASSERT_EQ(signup.status, 201) << signup.body;
    EXPECT_FALSE(json_of(signup).contains("refresh_token")) << "never readable by a script";
    EXPECT_TRUE(json_of(signup).contains("access_token"));
    const auto set = signup.header("set-cookie");
    EXPECT_TRUE(set.starts_with("poki_refresh=")) << set;
    for (const auto* attribute :
         {"; Path=/api/v1/auth", "; HttpOnly", "; SameSite=Strict", "; Max-Age=2592000"}) {
        EXPECT_NE(set.find(attribute), std::string::npos) << attribute << " in " << set;
    }
    EXPECT_EQ(set.find("Secure"), std::string::npos) << "plain HTTP cannot keep a Secure cookie";

    // Refresh by cookie rotates it; the spent one is refused (and revokes the chain).
    const auto first = cookie_token(signup);
    const auto rotated = server.request("POST", "/api/v1/auth/refresh", {},
                                        browser({{"Cookie", "poki_refresh=" + first}}));
    ASSERT_EQ(rotated.status, 200) << rotated.body;
    EXPECT_FALSE(json_of(rotated).contains("refresh_token"));
    const auto second = cookie_token(rotated);
    EXPECT_NE(second, first);
    EXPECT_EQ(server
                  .request("POST", "/api/v1/auth/refresh", {},
                           browser({{"Cookie", "poki_refresh=" + first}}))
                  .status,
              401);

    // A login the same way, then logout: the cookie is cleared and its chain revoked.
    const auto login = server.request(
        "POST", "/api/v1/auth/login",
        nlohmann::json{{"email", email}, {"password", "correct horse battery"}}.dump(), browser());
    ASSERT_EQ(login.status, 200) << login.body;
    const auto token = cookie_token(login);
    const std::string access = json_of(login)["access_token"];
    auto out_headers = browser({{"Cookie", "other=1; poki_refresh=" + token}});
    out_headers.emplace("Authorization", "Bearer " + access);
    const auto out = server.request("POST", "/api/v1/auth/logout", {}, out_headers);
    EXPECT_EQ(out.status, 204) << out.body;
    EXPECT_NE(out.header("set-cookie").find("poki_refresh=; Path=/api/v1/auth; Max-Age=0"),
              std::string::npos)
        << out.header("set-cookie");
    expect_problem(server.request("POST", "/api/v1/auth/refresh", {},
                                  browser({{"Cookie", "poki_refresh=" + token}})),
                   401, "unauthorized");
    expect_problem(server.request("POST", "/api/v1/auth/refresh", {}, browser()), 401,
                   "unauthorized");
}

TEST(Auth, CookieSessionsRefuseOtherSitesAndForms) {
    running_server server{{.extra = {{"http", {{"allowed_origins", "https://app.poki.kr"}}}}}};
    auto a = sign_up(server);
    const auto login = server.request(
        "POST", "/api/v1/auth/login",
        nlohmann::json{{"email", a.email}, {"password", a.password}}.dump(), browser());
    ASSERT_EQ(login.status, 200);
    const auto cookie = "poki_refresh=" + cookie_token(login);

    // Another site's page (or no Origin at all) may not use the cookie …
    for (const auto* origin : {"https://evil.example", "null", "http://127.0.0.1:1"}) {
        expect_problem(
            server.request("POST", "/api/v1/auth/refresh", {},
                           {{"X-Poki-Session", "cookie"}, {"Origin", origin}, {"Cookie", cookie}}),
            403, "forbidden");
    }
    expect_problem(server.request("POST", "/api/v1/auth/refresh", {},
                                  {{"X-Poki-Session", "cookie"}, {"Cookie", cookie}}),
                   403, "forbidden");
    // … a form (which cannot send the header) gets the JSON flow, which wants a body …
    const auto form = server.request("POST", "/api/v1/auth/refresh", "refresh_token=x",
                                     {{"Content-Type", "application/x-www-form-urlencoded"},
                                      {"Origin", "https://evil.example"},
                                      {"Cookie", cookie}});
    EXPECT_EQ(form.status, 415) << form.body;
    expect_problem(server.request("POST", "/api/v1/auth/refresh", {},
                                  {{"X-Poki-Session", "token"}, {"Cookie", cookie}}),
                   400, "bad_request");
    // … and the cookie is still good for the page it belongs to, and for the configured origin.
    const auto own =
        server.request("POST", "/api/v1/auth/refresh", {}, browser({{"Cookie", cookie}}));
    ASSERT_EQ(own.status, 200) << own.body;
    const auto staging = server.request("POST", "/api/v1/auth/refresh", {},
                                        {{"X-Poki-Session", "cookie"},
                                         {"Origin", "https://app.poki.kr"},
                                         {"Cookie", "poki_refresh=" + cookie_token(own)}});
    EXPECT_EQ(staging.status, 200) << staging.body;
    EXPECT_EQ(staging.header("access-control-allow-origin"), "https://app.poki.kr");
    EXPECT_EQ(staging.header("access-control-allow-credentials"), "true");
    // Native apps keep the JSON body.
    const auto native = server.request("POST", "/api/v1/auth/refresh",
                                       nlohmann::json{{"refresh_token", a.refresh}}.dump());
    EXPECT_EQ(native.status, 200) << native.body;
    EXPECT_TRUE(json_of(native).contains("refresh_token"));
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
    EXPECT_EQ(json_of(bad_email)["errors"][0]["code"], "not_email");
    const auto short_pw =
        server.request("POST", "/api/v1/auth/signup",
                       R"({"email":"a@example.com","password":"short","display_name":"Mom"})");
    expect_problem(short_pw, 422, "validation_failed");
    EXPECT_EQ(field_of(short_pw), "password");
    EXPECT_NE(short_pw.body.find("at least 8 characters"), std::string::npos);
    // What an app needs to say it in its own words: the field's code and its numbers.
    EXPECT_EQ(json_of(short_pw)["errors"][0]["code"], "too_short");
    EXPECT_EQ(json_of(short_pw)["errors"][0]["params"]["min"], 8);
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
                   409, "conflict", "email_taken");
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
    expect_problem(limited, 429, "too_many_requests", "too_many_attempts");
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
