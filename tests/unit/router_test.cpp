#include "poki/http/router.hpp"

#include <gtest/gtest.h>

#include "poki/http/responses.hpp"

namespace poki::http {
namespace {

handler noop() {
    return [](request_context&) -> awaitable<response> {
        co_return empty_response(status::no_content);
    };
}

router sample() {
    router r;
    r.add(verb::get, "/api/v1/chat/rooms/{id:int}/messages", noop());
    r.add(verb::post, "/api/v1/chat/rooms/{id:int}/messages", noop());
    r.add(verb::get, "/api/v1/items/new", noop());
    r.add(verb::get, "/api/v1/items/{name}", noop());
    r.add(verb::put, "/api/v1/devices/{fcm_token}", noop());
    r.add(verb::get, "/healthz", noop());
    return r;
}

TEST(Router, MatchesTemplateAndCapturesTypedParameter) {
    const auto r = sample();
    const auto m = r.match(verb::get, "/api/v1/chat/rooms/42/messages");
    ASSERT_EQ(m.kind, match_kind::found);
    EXPECT_EQ(m.matched->path_template, "/api/v1/chat/rooms/{id:int}/messages");
    EXPECT_EQ(m.params.integer("id"), 42);
}

TEST(Router, IntegerParameterRejectsNonDigits) {
    const auto r = sample();
    EXPECT_EQ(r.match(verb::get, "/api/v1/chat/rooms/abc/messages").kind, match_kind::not_found);
    EXPECT_EQ(r.match(verb::get, "/api/v1/chat/rooms/-1/messages").kind, match_kind::not_found);
    EXPECT_EQ(r.match(verb::get, "/api/v1/chat/rooms/99999999999999999999/messages").kind,
              match_kind::not_found);
}

TEST(Router, LiteralSegmentWinsOverParameter) {
    const auto r = sample();
    const auto literal = r.match(verb::get, "/api/v1/items/new");
    ASSERT_EQ(literal.kind, match_kind::found);
    EXPECT_EQ(literal.matched->path_template, "/api/v1/items/new");
    const auto param = r.match(verb::get, "/api/v1/items/kite");
    ASSERT_EQ(param.kind, match_kind::found);
    EXPECT_EQ(param.params.text("name"), "kite");
}

TEST(Router, ParameterIsPercentDecoded) {
    const auto r = sample();
    const auto m = r.match(verb::put, "/api/v1/devices/abc%3AAPA91b");
    ASSERT_EQ(m.kind, match_kind::found);
    EXPECT_EQ(m.params.text("fcm_token"), "abc:APA91b");
}

TEST(Router, TellsMethodNotAllowedFromNotFound) {
    const auto r = sample();
    const auto m = r.match(verb::delete_, "/api/v1/chat/rooms/7/messages");
    EXPECT_EQ(m.kind, match_kind::method_not_allowed);
    EXPECT_EQ(allow_header(m.allowed), "GET, POST, HEAD, OPTIONS");
    EXPECT_EQ(r.match(verb::get, "/api/v1/chat/rooms/7").kind, match_kind::not_found);
    EXPECT_EQ(r.match(verb::get, "/healthz/").kind, match_kind::not_found);
    EXPECT_EQ(r.match(verb::get, "/nothing").kind, match_kind::not_found);
    EXPECT_EQ(r.match(verb::get, "").kind, match_kind::not_found);
}

TEST(Router, HeadFallsBackToGet) {
    const auto r = sample();
    const auto m = r.match(verb::head, "/healthz");
    ASSERT_EQ(m.kind, match_kind::found);
    EXPECT_EQ(m.matched->method, verb::get);
}

TEST(Router, RejectsBadTemplates) {
    router r;
    r.add(verb::get, "/a/{id:int}", noop());
    EXPECT_THROW(r.add(verb::get, "/a/{id:int}", noop()), std::invalid_argument);
    EXPECT_THROW(r.add(verb::get, "/a/{other}", noop()), std::invalid_argument);
    EXPECT_THROW(r.add(verb::get, "/b/{id:uuid}", noop()), std::invalid_argument);
    EXPECT_THROW(r.add(verb::get, "no-slash", noop()), std::invalid_argument);
    EXPECT_THROW(r.add(verb::get, "/c/{}", noop()), std::invalid_argument);
}

TEST(Router, FallbackAnswersReadsOfUnmatchedPathsOnly) {
    auto r = sample();
    r.set_fallback("/{web_path}", noop());
    const auto page = r.match(verb::get, "/family/members");
    ASSERT_EQ(page.kind, match_kind::found);
    EXPECT_EQ(page.matched->path_template, "/{web_path}");
    EXPECT_EQ(r.match(verb::head, "/").kind, match_kind::found);
    // Writes to an unknown path stay 404; a known path keeps its own 405 and its routes.
    EXPECT_EQ(r.match(verb::post, "/family/members").kind, match_kind::not_found);
    EXPECT_EQ(r.match(verb::get, "/api/v1/devices/abc").kind, match_kind::method_not_allowed);
    EXPECT_EQ(r.match(verb::get, "/healthz").matched->path_template, "/healthz");
    EXPECT_THROW(r.set_fallback("/{again}", noop()), std::invalid_argument);
}

TEST(RequestContext, QueryParametersAreDecoded) {
    request req{verb::get, "/x?q=%ED%8F%AC%EB%8F%84+kid&limit=5&empty=&flag", 11};
    const auto [path, query] = split_target("/x?q=%ED%8F%AC%EB%8F%84+kid&limit=5&empty=&flag");
    request_context ctx{req, path, query, {}, "id", "", {}, std::nullopt, false, false, {}};
    EXPECT_EQ(path, "/x");
    EXPECT_EQ(ctx.query_param("q"), "포도 kid");
    EXPECT_EQ(ctx.query_param("limit"), "5");
    EXPECT_EQ(ctx.query_param("empty"), "");
    EXPECT_EQ(ctx.query_param("flag"), "");
    EXPECT_EQ(ctx.query_param("missing"), std::nullopt);
    EXPECT_EQ(percent_decode("%zz", false), std::nullopt);
    EXPECT_EQ(percent_decode("%4", false), std::nullopt);
}

}  // namespace
}  // namespace poki::http
