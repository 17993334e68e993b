#include "poki/grapes/grape_routes.hpp"

#include <limits>

#include "poki/auth/bearer.hpp"
#include "poki/core/json_reader.hpp"
#include "poki/grapes/grape_json.hpp"
#include "poki/http/idempotency.hpp"
#include "poki/http/json_body.hpp"
#include "poki/http/query_params.hpp"
#include "poki/http/responses.hpp"

namespace poki::grapes {
namespace {

constexpr int max_adjustment = 1000;

void read_settings(const nlohmann::json& body, board_settings& settings) {
    json_reader in{body};
    in.reject_unknown({"goal", "wish_item_id"});
    settings.goal = in.optional_integer("goal", 5, 100);
    if (body.is_object() && body.contains("wish_item_id")) {  // null clears the gift
        settings.wish_item_id =
            in.optional_integer("wish_item_id", 1, std::numeric_limits<std::int64_t>::max());
    }
    in.finish();
}

struct grape_handlers {
    board_service& boards;
    auth::auth_service& auth;

    [[nodiscard]] awaitable<http::response> board(http::request_context& ctx) const {
        const auto who = co_await auth::require_principal(ctx, auth);
        const auto b = co_await boards.get(who, ctx.params.integer("id"));
        co_return http::json_text_response(http::status::ok, json_text(b, write_board));
    }

    [[nodiscard]] awaitable<http::response> configure(http::request_context& ctx) const {
        const auto who = co_await auth::require_parent(ctx, auth);
        // Filled in place: g++ 12 -O3 fails (an ICE) on this struct returned into a frame.
        board_settings settings;
        read_settings(http::read_json_body(ctx), settings);
        const auto b = co_await boards.configure(who, ctx.params.integer("id"), settings);
        co_return http::json_text_response(http::status::ok, json_text(b, write_board));
    }

    [[nodiscard]] awaitable<http::response> attach(http::request_context& ctx) const {
        const auto who = co_await auth::require_principal(ctx, auth);
        json_reader in{http::read_json_body(ctx)};
        in.reject_unknown({"count"});
        const auto count = static_cast<int>(in.required_integer("count", 1, 100));
        in.finish();
        const auto b = co_await boards.attach(who, ctx.params.integer("id"), count);
        co_return http::json_text_response(http::status::ok, json_text(b, write_board));
    }

    [[nodiscard]] awaitable<http::response> redeem(http::request_context& ctx) const {
        const auto who = co_await auth::require_parent(ctx, auth);
        const auto done = co_await boards.redeem(who, ctx.params.integer("id"));
        json_writer out;
        out.begin_object().key("redeemed");
        write_redeemed(out, done.record);
        out.key("board");
        write_board(out, done.next);
        out.end_object();
        co_return http::json_text_response(http::status::created, std::move(out).take());
    }

    [[nodiscard]] awaitable<http::response> past_boards(http::request_context& ctx) const {
        const auto who = co_await auth::require_principal(ctx, auth);
        const auto cursor = http::page_cursor(ctx);
        const auto limit = http::page_limit(ctx);
        const auto past = co_await boards.redeemed(who, ctx.params.integer("id"), cursor, limit);
        co_return http::json_text_response(http::status::ok, page_text(past, write_redeemed));
    }

    [[nodiscard]] awaitable<http::response> adjust(http::request_context& ctx) const {
        const auto who = co_await auth::require_parent(ctx, auth);
        json_reader in{http::read_json_body(ctx)};
        in.reject_unknown({"amount", "reason"});
        const auto amount = in.required_integer("amount", -max_adjustment, max_adjustment);
        auto reason = in.required_string("reason", {.min_chars = 1, .max_chars = 200});
        if (amount == 0) {
            in.add_error("amount", "zero", "Must not be zero.");
        }
        in.finish();
        auto key = http::request_key_of(ctx, who.user_id);
        const auto made =
            co_await boards.adjust(who, ctx.params.integer("id"), static_cast<int>(amount),
                                   std::move(reason), std::move(key));
        co_return http::keyed_response(made);
    }

    [[nodiscard]] awaitable<http::response> history(http::request_context& ctx) const {
        const auto who = co_await auth::require_principal(ctx, auth);
        const auto cursor = http::page_cursor(ctx);
        const auto limit = http::page_limit(ctx);
        const auto page = co_await boards.history(who, ctx.params.integer("id"), cursor, limit);
        co_return http::json_text_response(http::status::ok, page_text(page, write_entry));
    }
};

}  // namespace

void add_grape_routes(http::router& routes, board_service& boards, auth::auth_service& auth) {
    const grape_handlers h{boards, auth};
    using http::verb;
    const std::string child = "/api/v1/children/{id:int}";
    routes.add(verb::get, child + "/board", http::handler_of(h, &grape_handlers::board));
    routes.add(verb::put, child + "/board", http::handler_of(h, &grape_handlers::configure));
    routes.add(verb::post, child + "/board/attach", http::handler_of(h, &grape_handlers::attach));
    routes.add(verb::post, child + "/board/redeem", http::handler_of(h, &grape_handlers::redeem));
    routes.add(verb::get, child + "/boards", http::handler_of(h, &grape_handlers::past_boards));
    routes.add(verb::post, child + "/grapes", http::handler_of(h, &grape_handlers::adjust));
    routes.add(verb::get, child + "/grapes/history", http::handler_of(h, &grape_handlers::history));
}

}  // namespace poki::grapes
