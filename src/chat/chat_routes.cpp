#include "poki/chat/chat_routes.hpp"

#include <cctype>
#include <charconv>

#include "poki/auth/bearer.hpp"
#include "poki/chat/chat_json.hpp"
#include "poki/core/json_reader.hpp"
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
        throw error::validation(std::string{name}, "Must be a message id.");
    }
    return value;
}

nlohmann::json summary_json(const room_summary& s) {
    auto out = room_json(s.info);
    out["last_message"] = s.last ? message_json(*s.last) : nlohmann::json(nullptr);
    out["unread"] = s.unread;
    out["last_activity_at"] = s.last_at;
    return out;
}

}  // namespace

std::optional<std::string> normalize_uuid(std::string_view text) {
    if (text.size() != 36) {
        return std::nullopt;
    }
    std::string out;
    out.reserve(36);
    for (std::size_t i = 0; i < text.size(); ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (c != '-') {
                return std::nullopt;
            }
            out.push_back('-');
        } else if (std::isxdigit(c) != 0) {
            out.push_back(static_cast<char>(std::tolower(c)));
        } else {
            return std::nullopt;
        }
    }
    return out;
}

void add_chat_routes(http::router& routes, chat_service& chat, auth::auth_service& auth,
                     const chat_config& cfg) {
    routes.add(http::verb::get, "/api/v1/chat/rooms",
               [&chat, &auth](http::request_context& ctx) -> awaitable<http::response> {
                   const auto who = co_await auth::require_principal(ctx, auth);
                   const auto rooms = co_await chat.rooms(who);
                   auto items = nlohmann::json::array();
                   for (const auto& r : rooms) {
                       items.push_back(summary_json(r));
                   }
                   co_return http::json_response(http::status::ok, {{"items", std::move(items)}});
               });

    routes.add(http::verb::post, "/api/v1/chat/rooms",
               [&chat, &auth](http::request_context& ctx) -> awaitable<http::response> {
                   const auto who = co_await auth::require_principal(ctx, auth);
                   const auto& body = http::read_json_body(ctx);
                   json_reader in{body};
                   in.reject_unknown({"member_id"});
                   const auto member = in.required_integer(
                       "member_id", 1, std::numeric_limits<std::int64_t>::max());
                   in.finish();
                   const auto r = co_await chat.open_direct(who, member);
                   co_return http::json_response(http::status::ok, room_json(r));
               });

    routes.add(http::verb::get, "/api/v1/chat/rooms/{id:int}/messages",
               [&chat, &auth](http::request_context& ctx) -> awaitable<http::response> {
                   const auto who = co_await auth::require_principal(ctx, auth);
                   const auto before = cursor_param(ctx, "before");
                   const auto after = cursor_param(ctx, "after");
                   if (before && after) {
                       throw error::validation("after", "Use before or after, not both.");
                   }
                   const auto limit = http::page_limit(ctx);
                   const auto page =
                       co_await chat.history(who, ctx.params.integer("id"), before, after, limit);
                   auto items = nlohmann::json::array();
                   for (const auto& m : page.items) {
                       items.push_back(message_json(m));
                   }
                   nlohmann::json out{{"items", std::move(items)}};
                   out["next_cursor"] = page.next_cursor ? nlohmann::json(*page.next_cursor)
                                                         : nlohmann::json(nullptr);
                   co_return http::json_response(http::status::ok, out);
               });

    routes.add(
        http::verb::post, "/api/v1/chat/rooms/{id:int}/messages",
        [&chat, &auth, &cfg](http::request_context& ctx) -> awaitable<http::response> {
            const auto who = co_await auth::require_principal(ctx, auth);
            const auto& body = http::read_json_body(ctx);
            json_reader in{body};
            in.reject_unknown({"client_id", "text"});
            const auto raw_id = in.required_string("client_id", {.min_chars = 1, .max_chars = 64});
            auto text = in.required_string(
                "text",
                {.min_chars = 1, .max_chars = static_cast<std::size_t>(cfg.max_message_chars)});
            auto client_id = normalize_uuid(raw_id);
            if (!raw_id.empty() && !client_id) {
                in.add_error("client_id", "Must be a UUID.");
            }
            in.finish();
            const auto sent = co_await chat.send(who, ctx.params.integer("id"),
                                                 std::move(*client_id), std::move(text));
            co_return http::json_response(sent.created ? http::status::created : http::status::ok,
                                          message_json(sent.stored));
        });

    routes.add(http::verb::post, "/api/v1/chat/rooms/{id:int}/read",
               [&chat, &auth](http::request_context& ctx) -> awaitable<http::response> {
                   const auto who = co_await auth::require_principal(ctx, auth);
                   const auto& body = http::read_json_body(ctx);
                   json_reader in{body};
                   in.reject_unknown({"message_id"});
                   const auto id = in.required_integer("message_id", 0,
                                                       std::numeric_limits<std::int64_t>::max());
                   in.finish();
                   const auto mark = co_await chat.mark_read(who, ctx.params.integer("id"), id);
                   co_return http::json_response(http::status::ok, {{"read_through", mark}});
               });

    routes.add(http::verb::delete_, "/api/v1/chat/rooms/{id:int}/messages/{message_id:int}",
               [&chat, &auth](http::request_context& ctx) -> awaitable<http::response> {
                   const auto who = co_await auth::require_principal(ctx, auth);
                   co_await chat.remove_message(who, ctx.params.integer("id"),
                                                ctx.params.integer("message_id"));
                   co_return http::empty_response(http::status::no_content);
               });
}

}  // namespace poki::chat
