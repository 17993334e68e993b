#include "poki/chat/chat_routes.hpp"

#include <cctype>
#include <charconv>

#include "poki/auth/bearer.hpp"
#include "poki/chat/chat_json.hpp"
#include "poki/core/json_reader.hpp"
#include "poki/core/uuid.hpp"
#include "poki/http/json_body.hpp"
#include "poki/http/query_params.hpp"
#include "poki/http/responses.hpp"

namespace poki::chat {
namespace {

std::optional<std::int64_t> cursor_param(const http::request_context& ctx, std::string_view name) {
    const auto text = ctx.query_param(name);
    if (!text) {
        return std::nullopt;
    }
    std::int64_t value = 0;
    const auto* end = text->data() + text->size();
    const auto [ptr, ec] = std::from_chars(text->data(), end, value);
    if (text->empty() || ec != std::errc{} || ptr != end || value < 0) {
        throw error::validation(std::string{name}, "not_message_id", "Must be a message id.");
    }
    return value;
}

std::optional<std::string> read_client_id(json_reader& in) {
    const auto raw = in.required_string("client_id", {.min_chars = 1, .max_chars = 64});
    auto client_id = normalize_uuid(raw);
    if (!raw.empty() && !client_id) {
        in.add_error("client_id", "not_uuid", "Must be a UUID.");
    }
    return client_id;
}

struct chat_handlers {
    chat_service& chat;
    auth::auth_service& auth;
    const chat_config& config;

    [[nodiscard]] awaitable<http::response> rooms(http::request_context& ctx) const {
        const auto who = co_await auth::require_principal(ctx, auth);
        const auto cursor = http::page_cursor(ctx);
        const auto limit = http::page_limit(ctx);
        const auto listed = co_await chat.rooms(who, cursor, limit);
        co_return http::json_text_response(http::status::ok, page_text(listed, write_room_summary));
    }

    [[nodiscard]] awaitable<http::response> open_direct(http::request_context& ctx) const {
        const auto who = co_await auth::require_principal(ctx, auth);
        json_reader in{http::read_json_body(ctx)};
        in.reject_unknown({"member_id"});
        const auto member =
            in.required_integer("member_id", 1, std::numeric_limits<std::int64_t>::max());
        in.finish();
        const auto r = co_await chat.open_direct(who, member);
        co_return http::json_text_response(http::status::ok, json_text(r, write_room));
    }

    [[nodiscard]] awaitable<http::response> history(http::request_context& ctx) const {
        const auto who = co_await auth::require_principal(ctx, auth);
        const auto before = cursor_param(ctx, "before");
        const auto after = cursor_param(ctx, "after");
        if (before && after) {
            throw error::validation("after", "before_or_after", "Use before or after, not both.");
        }
        const auto limit = http::page_limit(ctx);
        const auto page =
            co_await chat.history(who, ctx.params.integer("id"), before, after, limit);
        co_return http::json_text_response(http::status::ok, page_text(page, write_message));
    }

    [[nodiscard]] awaitable<http::response> send(http::request_context& ctx) const {
        const auto who = co_await auth::require_principal(ctx, auth);
        json_reader in{http::read_json_body(ctx)};
        in.reject_unknown({"client_id", "text"});
        auto client_id = read_client_id(in);
        auto text = in.required_string(
            "text",
            {.min_chars = 1, .max_chars = static_cast<std::size_t>(config.max_message_chars)});
        in.finish();
        const auto sent = co_await chat.send(who, ctx.params.integer("id"), std::move(*client_id),
                                             std::move(text));
        co_return http::json_response(sent.created ? http::status::created : http::status::ok,
                                      message_json(sent.stored));
    }

    [[nodiscard]] awaitable<http::response> mark_read(http::request_context& ctx) const {
        const auto who = co_await auth::require_principal(ctx, auth);
        json_reader in{http::read_json_body(ctx)};
        in.reject_unknown({"message_id"});
        const auto id =
            in.required_integer("message_id", 0, std::numeric_limits<std::int64_t>::max());
        in.finish();
        const auto mark = co_await chat.mark_read(who, ctx.params.integer("id"), id);
        co_return http::json_response(http::status::ok, {{"read_through", mark}});
    }

    [[nodiscard]] awaitable<http::response> remove_message(http::request_context& ctx) const {
        const auto who = co_await auth::require_principal(ctx, auth);
        co_await chat.remove_message(who, ctx.params.integer("id"),
                                     ctx.params.integer("message_id"));
        co_return http::empty_response(http::status::no_content);
    }
};

}  // namespace

void add_chat_routes(http::router& routes, chat_service& chat, auth::auth_service& auth,
                     const chat_config& cfg) {
    const chat_handlers h{chat, auth, cfg};
    using http::verb;
    const std::string rooms = "/api/v1/chat/rooms";
    routes.add(verb::get, rooms, http::handler_of(h, &chat_handlers::rooms));
    routes.add(verb::post, rooms, http::handler_of(h, &chat_handlers::open_direct));
    routes.add(verb::get, rooms + "/{id:int}/messages",
               http::handler_of(h, &chat_handlers::history));
    routes.add(verb::post, rooms + "/{id:int}/messages", http::handler_of(h, &chat_handlers::send));
    routes.add(verb::post, rooms + "/{id:int}/read",
               http::handler_of(h, &chat_handlers::mark_read));
    routes.add(verb::delete_, rooms + "/{id:int}/messages/{message_id:int}",
               http::handler_of(h, &chat_handlers::remove_message));
}

}  // namespace poki::chat
