#include "poki/grapes/grape_routes.hpp"

#include <limits>

#include "poki/auth/bearer.hpp"
#include "poki/core/json_reader.hpp"
#include "poki/grapes/grape_events.hpp"
#include "poki/http/idempotency.hpp"
#include "poki/http/json_body.hpp"
#include "poki/http/query_params.hpp"
#include "poki/http/responses.hpp"

namespace poki::grapes {
namespace {

constexpr int max_adjustment = 1000;

}  // namespace

void add_grape_routes(http::router& routes, board_service& boards, auth::auth_service& auth) {
    routes.add(http::verb::get, "/api/v1/children/{id:int}/board",
               [&boards, &auth](http::request_context& ctx) -> awaitable<http::response> {
                   const auto who = co_await auth::require_principal(ctx, auth);
                   const auto b = co_await boards.get(who, ctx.params.integer("id"));
                   co_return http::json_response(http::status::ok, board_json(b));
               });

    routes.add(http::verb::put, "/api/v1/children/{id:int}/board",
               [&boards, &auth](http::request_context& ctx) -> awaitable<http::response> {
                   const auto who = co_await auth::require_parent(ctx, auth);
                   const auto& body = http::read_json_body(ctx);
                   json_reader in{body};
                   in.reject_unknown({"goal", "wish_item_id"});
                   board_settings settings;
                   settings.goal = in.optional_integer("goal", 5, 100);
                   if (body.is_object() && body.contains("wish_item_id")) {
                       settings.wish_item_id = in.optional_integer(
                           "wish_item_id", 1, std::numeric_limits<std::int64_t>::max());
                   }
                   in.finish();
                   const auto b =
                       co_await boards.configure(who, ctx.params.integer("id"), settings);
                   co_return http::json_response(http::status::ok, board_json(b));
               });

    routes.add(http::verb::post, "/api/v1/children/{id:int}/board/attach",
               [&boards, &auth](http::request_context& ctx) -> awaitable<http::response> {
                   const auto who = co_await auth::require_principal(ctx, auth);
                   const auto& body = http::read_json_body(ctx);
                   json_reader in{body};
                   in.reject_unknown({"count"});
                   const auto count = in.required_integer("count", 1, 100);
                   in.finish();
                   const auto b = co_await boards.attach(who, ctx.params.integer("id"),
                                                         static_cast<int>(count));
                   co_return http::json_response(http::status::ok, board_json(b));
               });

    routes.add(http::verb::post, "/api/v1/children/{id:int}/board/redeem",
               [&boards, &auth](http::request_context& ctx) -> awaitable<http::response> {
                   const auto who = co_await auth::require_parent(ctx, auth);
                   const auto done = co_await boards.redeem(who, ctx.params.integer("id"));
                   co_return http::json_response(http::status::created,
                                                 {{"redeemed", redeemed_json(done.record)},
                                                  {"board", board_json(done.next)}});
               });

    routes.add(http::verb::get, "/api/v1/children/{id:int}/boards",
               [&boards, &auth](http::request_context& ctx) -> awaitable<http::response> {
                   const auto who = co_await auth::require_principal(ctx, auth);
                   const auto past = co_await boards.redeemed(who, ctx.params.integer("id"));
                   auto items = nlohmann::json::array();
                   for (const auto& b : past) {
                       items.push_back(redeemed_json(b));
                   }
                   co_return http::json_response(http::status::ok, {{"items", std::move(items)}});
               });

    routes.add(http::verb::post, "/api/v1/children/{id:int}/grapes",
               [&boards, &auth](http::request_context& ctx) -> awaitable<http::response> {
                   const auto who = co_await auth::require_parent(ctx, auth);
                   const auto& body = http::read_json_body(ctx);
                   json_reader in{body};
                   in.reject_unknown({"amount", "reason"});
                   const auto amount =
                       in.required_integer("amount", -max_adjustment, max_adjustment);
                   auto reason = in.required_string("reason", {.min_chars = 1, .max_chars = 200});
                   if (amount == 0) {
                       in.add_error("amount", "Must not be zero.");
                   }
                   in.finish();
                   const auto made = co_await boards.adjust(
                       who, ctx.params.integer("id"), static_cast<int>(amount), std::move(reason),
                       http::request_key_of(ctx, who.user_id));
                   co_return http::keyed_response(made);
               });

    routes.add(
        http::verb::get, "/api/v1/children/{id:int}/grapes/history",
        [&boards, &auth](http::request_context& ctx) -> awaitable<http::response> {
            const auto who = co_await auth::require_principal(ctx, auth);
            const auto cursor =
                http::integer_param(ctx, "cursor", 1, std::numeric_limits<std::int64_t>::max());
            const auto limit = http::page_limit(ctx);
            const auto page = co_await boards.history(who, ctx.params.integer("id"), cursor, limit);
            auto items = nlohmann::json::array();
            for (const auto& e : page.items) {
                items.push_back(entry_json(e));
            }
            nlohmann::json out{{"items", std::move(items)}};
            out["next_cursor"] =
                page.next_cursor ? nlohmann::json(*page.next_cursor) : nlohmann::json(nullptr);
            co_return http::json_response(http::status::ok, out);
        });
}

}  // namespace poki::grapes
