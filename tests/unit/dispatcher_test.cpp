#include "poki/http/dispatcher.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "poki/http/cookies.hpp"
#include "poki/http/json_body.hpp"
#include "poki/http/responses.hpp"

namespace poki::http {
namespace {

class DispatcherTest : public ::testing::Test {
  protected:
    DispatcherTest() {
        routes_.add(verb::get, "/things/{id:int}", [](request_context& ctx) -> awaitable<response> {
            co_return json_response(status::ok, {{"id", ctx.params.integer("id")}});
        });
        routes_.add(verb::post, "/things", [](request_context& ctx) -> awaitable<response> {
            const auto body = read_json_body(ctx);
            co_return json_response(status::created, body);
        });
        routes_.add(verb::get, "/conflict", [](request_context&) -> awaitable<response> {
            throw error{errc::conflict, "Already done."};
            co_return empty_response(status::ok);
        });
        routes_.add(verb::get, "/bug", [](request_context&) -> awaitable<response> {
            throw std::logic_error{"secret internal detail"};
            co_return empty_response(status::ok);
        });
        metrics_ = std::make_unique<http_metrics>(routes_);
        dispatcher_ = std::make_unique<dispatcher>(routes_, *metrics_, ids_, nullptr);
    }

    response send(const request& req) {
        net::io_context ioc;
        auto f = net::co_spawn(ioc, dispatcher_->handle(req, connection_info{"127.0.0.1"}),
                               net::use_future);
        ioc.run();
        return f.get();
    }

    static request make(verb m, const std::string& target, std::string body = {},
                        const std::string& type = {}) {
        request req{m, target, 11};
        if (!type.empty()) {
            req.set(field::content_type, type);
        }
        req.body() = std::move(body);
        req.prepare_payload();
        return req;
    }

    router routes_;
    request_id_generator ids_{1};
    std::unique_ptr<http_metrics> metrics_;
    std::unique_ptr<dispatcher> dispatcher_;
};

TEST_F(DispatcherTest, RoutesAndEchoesRequestId) {
    auto req = make(verb::get, "/things/5");
    req.set(request_id_header, "client-chosen-1");
    const auto res = send(req);
    EXPECT_EQ(res.result(), status::ok);
    EXPECT_EQ(res[request_id_header], "client-chosen-1");
    EXPECT_EQ(nlohmann::json::parse(res.body())["id"], 5);
}

TEST_F(DispatcherTest, UnknownPathIs404Problem) {
    const auto res = send(make(verb::get, "/nope"));
    EXPECT_EQ(res.result(), status::not_found);
    EXPECT_EQ(res[field::content_type], "application/problem+json");
    EXPECT_EQ(nlohmann::json::parse(res.body())["code"], "not_found");
}

TEST_F(DispatcherTest, WrongMethodIs405WithAllow) {
    const auto res = send(make(verb::delete_, "/things/5"));
    EXPECT_EQ(res.result(), status::method_not_allowed);
    EXPECT_EQ(res[field::allow], "GET, HEAD, OPTIONS");
}

TEST_F(DispatcherTest, OptionsListsMethods) {
    const auto res = send(make(verb::options, "/things"));
    EXPECT_EQ(res.result(), status::no_content);
    EXPECT_EQ(res[field::allow], "POST, OPTIONS");
}

TEST_F(DispatcherTest, CrossOriginRequestsOnlyFromConfiguredOrigins) {
    dispatcher_ =
        std::make_unique<dispatcher>(routes_, *metrics_, ids_, nullptr, proxy_trust{},
                                     cors_policy{"https://app.poki.kr, http://localhost:5173"});
    auto from = [](std::string_view origin, request req) {
        req.set(field::origin, origin);
        return req;
    };
    const auto allowed = send(from("https://app.poki.kr", make(verb::get, "/things/7")));
    EXPECT_EQ(allowed[field::access_control_allow_origin], "https://app.poki.kr");
    EXPECT_EQ(allowed[field::access_control_expose_headers], "X-Request-Id, Retry-After");
    EXPECT_EQ(allowed[field::vary], "Origin");
    EXPECT_EQ(allowed[field::access_control_allow_credentials], "true");
    // Errors too: an app must read the problem and its request id.
    const auto missing = send(from("http://localhost:5173", make(verb::get, "/nothing")));
    EXPECT_EQ(missing[field::access_control_allow_origin], "http://localhost:5173");

    for (const auto* other : {"https://evil.example", "https://app.poki.kr.evil.example",
                              "http://app.poki.kr", "null"}) {
        const auto refused = send(from(other, make(verb::get, "/things/7")));
        EXPECT_EQ(refused.result(), status::ok) << "the answer itself is the same";
        EXPECT_EQ(refused.count(field::access_control_allow_origin), 0U) << other;
    }
    EXPECT_EQ(send(make(verb::get, "/things/7")).count(field::access_control_allow_origin), 0U);

    auto preflight = from("https://app.poki.kr", make(verb::options, "/things"));
    preflight.set(field::access_control_request_method, "POST");
    const auto answered = send(preflight);
    EXPECT_EQ(answered.result(), status::no_content);
    EXPECT_EQ(answered[field::access_control_allow_methods], "POST, OPTIONS");
    EXPECT_NE(answered[field::access_control_allow_headers].find("Authorization"),
              std::string_view::npos);
    EXPECT_EQ(answered[field::access_control_allow_origin], "https://app.poki.kr");
    auto stranger = from("https://evil.example", make(verb::options, "/things"));
    stranger.set(field::access_control_request_method, "POST");
    const auto unanswered = send(stranger);
    EXPECT_EQ(unanswered.count(field::access_control_allow_methods), 0U);
    EXPECT_EQ(unanswered.count(field::access_control_allow_origin), 0U);
}

TEST(CorsPolicy, TrustsThisServersOwnPagesAndTheConfiguredOrigins) {
    const cors_policy cors{"https://app.poki.kr"};
    auto from = [](std::string_view origin, std::string_view host) {
        request req{verb::post, "/api/v1/auth/refresh", 11};
        if (!origin.empty()) {
            req.set(field::origin, origin);
        }
        req.set(field::host, host);
        return req;
    };
    EXPECT_TRUE(cors.trusts(from("http://127.0.0.1:8080", "127.0.0.1:8080")));
    EXPECT_TRUE(cors.trusts(from("https://Poki.Example", "poki.example")));
    EXPECT_TRUE(cors.trusts(from("https://app.poki.kr", "api.poki.kr")));
    EXPECT_FALSE(cors.trusts(from("https://evil.example", "poki.example")));
    EXPECT_FALSE(cors.trusts(from("http://127.0.0.1:9999", "127.0.0.1:8080")));
    EXPECT_FALSE(cors.trusts(from("null", "poki.example")));
    EXPECT_FALSE(cors.trusts(from("", "poki.example")));
    EXPECT_FALSE(cors.trusts(from("https://poki.example.evil.example", "poki.example")));
}

TEST(Cookies, FindsOneCookieAndWritesAStrictHttpOnlyOne) {
    EXPECT_EQ(find_cookie("a=1; poki_refresh=tok.en; b=2", "poki_refresh"), "tok.en");
    EXPECT_EQ(find_cookie("poki_refresh=\"quoted\"", "poki_refresh"), "quoted");
    EXPECT_EQ(find_cookie("xpoki_refresh=1", "poki_refresh"), std::nullopt);
    EXPECT_EQ(find_cookie("", "poki_refresh"), std::nullopt);
    EXPECT_EQ(set_cookie("poki_refresh", "v", {"/api/v1/auth", std::chrono::seconds{60}, false}),
              "poki_refresh=v; Path=/api/v1/auth; Max-Age=60; HttpOnly; SameSite=Strict");
    EXPECT_EQ(set_cookie("poki_refresh", "", {"/api/v1/auth", std::chrono::seconds{0}, true}),
              "poki_refresh=; Path=/api/v1/auth; Max-Age=0; HttpOnly; SameSite=Strict; Secure");
}

TEST(CorsPolicy, RefusesWhatIsNotAnOrigin) {
    EXPECT_NO_THROW(cors_policy{""});
    EXPECT_NO_THROW(cors_policy{"https://a.kr,http://127.0.0.1:8080 , https://[::1]:8443"});
    for (const auto* bad : {"app.poki.kr", "https://app.poki.kr/", "https://app.poki.kr/path",
                            "ftp://app.poki.kr", "https://", "*"}) {
        EXPECT_THROW(cors_policy{bad}, std::invalid_argument) << bad;
    }
}

TEST_F(DispatcherTest, HeadKeepsLengthDropsBody) {
    const auto get = send(make(verb::get, "/things/77"));
    const auto head = send(make(verb::head, "/things/77"));
    EXPECT_EQ(head.result(), status::ok);
    EXPECT_TRUE(head.body().empty());
    EXPECT_EQ(head[field::content_length], std::to_string(get.body().size()));
}

TEST_F(DispatcherTest, MalformedJsonIs400AndWrongMediaIs415) {
    EXPECT_EQ(send(make(verb::post, "/things", "{oops", "application/json")).result(),
              status::bad_request);
    EXPECT_EQ(send(make(verb::post, "/things", "", "application/json")).result(),
              status::bad_request);
    EXPECT_EQ(send(make(verb::post, "/things", "{}", "text/plain")).result(),
              status::unsupported_media_type);
    EXPECT_EQ(
        send(make(verb::post, "/things", R"({"a":1})", "application/json; charset=utf-8")).result(),
        status::created);
}

TEST_F(DispatcherTest, ExpectedErrorBecomesItsProblem) {
    const auto res = send(make(verb::get, "/conflict"));
    EXPECT_EQ(res.result(), status::conflict);
    EXPECT_EQ(nlohmann::json::parse(res.body())["detail"], "Already done.");
}

TEST_F(DispatcherTest, UnexpectedExceptionIs500WithoutDetail) {
    const auto res = send(make(verb::get, "/bug"));
    EXPECT_EQ(res.result(), status::internal_server_error);
    EXPECT_EQ(res.body().find("secret"), std::string::npos);
    EXPECT_EQ(nlohmann::json::parse(res.body())["request_id"], std::string{res[request_id_header]});
}

TEST_F(DispatcherTest, MetricsCountByRouteAndStatus) {
    (void)send(make(verb::get, "/things/1"));
    (void)send(make(verb::get, "/things/2"));
    (void)send(make(verb::get, "/missing"));
    std::string text;
    metrics_->render(text);
    EXPECT_NE(
        text.find(
            R"(poki_http_requests_total{route="/things/{id:int}",method="GET",status="200"} 2)"),
        std::string::npos)
        << text;
    EXPECT_NE(text.find(R"(poki_http_requests_total{route="unmatched",method="",status="404"} 1)"),
              std::string::npos);
}

}  // namespace
}  // namespace poki::http
