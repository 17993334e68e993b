#include "poki/web/web_routes.hpp"

#include <fstream>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <gtest/gtest.h>

#include "poki/http/dispatcher.hpp"
#include "poki/http/responses.hpp"

#include "support/test_support.hpp"

namespace poki::web {
namespace {

namespace fs = std::filesystem;
using http::field;
using http::status;
using http::verb;

using test::write_file;

/// The web app behind the real dispatcher, beside one API route.
class WebRoutesTest : public ::testing::Test {
  protected:
    WebRoutesTest() : root_{test::temp_dir("poki-web-routes")} {
        write_file(root_ / "index.html", "<!doctype html><title>Poki</title>");
        write_file(root_ / "assets" / "app-5XK2B3QZ.js", "console.log('poki')");
        write_file(root_ / "assets" / "app-5XK2B3QZ.js.gz", "gzipped");
        site_ = static_site::load(root_);
        routes_.add(verb::get, "/api/v1/meta",
                    [](http::request_context&) -> awaitable<http::response> {
                        co_return http::json_response(status::ok, {{"name", "poki"}});
                    });
        add_web_routes(routes_, site_);
        metrics_ = std::make_unique<http::http_metrics>(routes_);
        dispatcher_ = std::make_unique<http::dispatcher>(routes_, *metrics_, ids_, nullptr);
    }

  public:
    ~WebRoutesTest() override { fs::remove_all(root_); }

  protected:
    http::response send(verb method, const std::string& target,
                        std::initializer_list<std::pair<field, std::string>> headers = {},
                        bool secure = false) {
        http::request req{method, target, 11};
        for (const auto& [name, value] : headers) {
            req.set(name, value);
        }
        req.prepare_payload();
        net::io_context ioc;
        auto f =
            net::co_spawn(ioc, dispatcher_->handle(req, http::connection_info{"127.0.0.1", secure}),
                          net::use_future);
        ioc.run();
        return f.get();
    }

    fs::path root_;
    static_site site_;
    http::router routes_;
    request_id_generator ids_{1};
    std::unique_ptr<http::http_metrics> metrics_;
    std::unique_ptr<http::dispatcher> dispatcher_;
};

TEST_F(WebRoutesTest, DeepLinksAnswerThePageWithItsSecurityHeaders) {
    for (const auto* target : {"/", "/family", "/chat/rooms/3?from=push"}) {
        const auto res = send(verb::get, target);
        SCOPED_TRACE(target);
        EXPECT_EQ(res.result(), status::ok);
        EXPECT_EQ(res.body(), "<!doctype html><title>Poki</title>");
        EXPECT_EQ(res[field::content_type], "text/html; charset=utf-8");
        EXPECT_EQ(res[field::cache_control], "no-cache");
        const std::string csp{res["Content-Security-Policy"]};
        EXPECT_NE(csp.find("script-src 'self'"), std::string::npos);
        EXPECT_NE(csp.find("connect-src 'self'"), std::string::npos);
        EXPECT_NE(csp.find("frame-ancestors 'none'"), std::string::npos);
        EXPECT_EQ(csp.find("unsafe"), std::string::npos);
        EXPECT_EQ(res["X-Content-Type-Options"], "nosniff");
        EXPECT_EQ(res["Referrer-Policy"], "no-referrer");
        EXPECT_NE(std::string{res["Permissions-Policy"]}.find("camera=(self)"), std::string::npos);
        EXPECT_EQ(res[field::strict_transport_security], "");  // plain HTTP
    }
}

TEST_F(WebRoutesTest, HttpsAnswersCarryHsts) {
    EXPECT_EQ(send(verb::get, "/", {}, true)[field::strict_transport_security], "max-age=31536000");
    EXPECT_EQ(send(verb::get, "/api/v1/meta", {}, true)[field::strict_transport_security],
              "max-age=31536000");
}

TEST_F(WebRoutesTest, HashedAssetsAreImmutableAndRevalidateTo304) {
    const auto first = send(verb::get, "/assets/app-5XK2B3QZ.js");
    EXPECT_EQ(first.result(), status::ok);
    EXPECT_EQ(first.body(), "console.log('poki')");
    EXPECT_EQ(first[field::cache_control], "public, max-age=31536000, immutable");
    EXPECT_EQ(first[field::vary], "Accept-Encoding");
    EXPECT_EQ(first["Content-Security-Policy"], "");  // not a page
    const std::string etag{first[field::etag]};
    ASSERT_FALSE(etag.empty());
    const auto again = send(verb::get, "/assets/app-5XK2B3QZ.js", {{field::if_none_match, etag}});
    EXPECT_EQ(again.result(), status::not_modified);
    EXPECT_TRUE(again.body().empty());
    EXPECT_EQ(again[field::etag], etag);
    EXPECT_EQ(
        send(verb::get, "/assets/app-5XK2B3QZ.js", {{field::if_none_match, "\"stale\""}}).result(),
        status::ok);
}

TEST_F(WebRoutesTest, AcceptEncodingPicksThePrecompressedFile) {
    const auto gz =
        send(verb::get, "/assets/app-5XK2B3QZ.js", {{field::accept_encoding, "gzip, br"}});
    EXPECT_EQ(gz[field::content_encoding], "gzip");
    EXPECT_EQ(gz.body(), "gzipped");
    EXPECT_EQ(gz[field::content_type], "text/javascript; charset=utf-8");
    const auto plain =
        send(verb::get, "/assets/app-5XK2B3QZ.js", {{field::accept_encoding, "gzip;q=0"}});
    EXPECT_EQ(plain[field::content_encoding], "");
    EXPECT_NE(gz[field::etag], plain[field::etag]);
}

TEST_F(WebRoutesTest, HeadSendsTheLengthWithoutTheBody) {
    const auto res = send(verb::head, "/assets/app-5XK2B3QZ.js");
    EXPECT_EQ(res.result(), status::ok);
    EXPECT_TRUE(res.body().empty());
    EXPECT_EQ(res[field::content_length],
              std::to_string(std::string_view{"console.log('poki')"}.size()));
}

TEST_F(WebRoutesTest, TheApiKeepsItsProblemAnswers) {
    EXPECT_EQ(send(verb::get, "/api/v1/meta").result(), status::ok);
    for (const auto* target : {"/api/v1/unknown", "/api", "/healthz/x", "/missing.js",
                               "/%2e%2e/%2e%2e/etc/passwd", "/..%5c..%5cetc", "/a%00"}) {
        const auto res = send(verb::get, target);
        SCOPED_TRACE(target);
        EXPECT_EQ(res.result(), status::not_found);
        EXPECT_EQ(res[field::content_type], "application/problem+json");
        EXPECT_EQ(res["X-Content-Type-Options"], "nosniff");
    }
    EXPECT_EQ(send(verb::post, "/family").result(), status::not_found);
    EXPECT_EQ(send(verb::delete_, "/").result(), status::not_found);
}

}  // namespace
}  // namespace poki::web
