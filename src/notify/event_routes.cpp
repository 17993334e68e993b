#include "poki/notify/event_routes.hpp"

#include "poki/auth/bearer.hpp"
#include "poki/core/json_reader.hpp"
#include "poki/core/json_writer.hpp"
#include "poki/http/json_body.hpp"
#include "poki/http/query_params.hpp"
#include "poki/http/responses.hpp"
#include "poki/notify/sse_format.hpp"

namespace poki::notify {
namespace {

std::optional<std::int64_t> id_param(const http::request_context& ctx, std::string_view name) {
    const auto text = ctx.query_param(name);
    if (!text) {
        return std::nullopt;
    }
    const auto id = parse_event_id(*text);
    if (!id) {
        throw error::validation(std::string{name}, "not_event_id",
                                "Must be an event id (a non-negative integer).");
    }
    return id;
}

/// Where the client resumes: Last-Event-ID (sent by EventSource when it reconnects) wins
/// over `?since=` (which the app passes on its first connect and EventSource repeats).
std::optional<std::int64_t> resume_point(const http::request_context& ctx) {
    const auto header = ctx.req["Last-Event-ID"];
    if (!header.empty()) {
        const auto id = parse_event_id({header.data(), header.size()});
        if (!id) {
            throw error::validation("Last-Event-ID", "unknown_event_id",
                                    "Must be an event id this stream sent.");
        }
        return id;
    }
    return id_param(ctx, "since");
}

void write_notification(json_writer& out, const notification& n) {
    out.begin_object()
        .field("id", n.event.seq)
        .field("type", n.event.type)
        .key("data")
        .raw(n.event.data)  // jsonb's own text: JSON already, no parse and dump per item
        .field("created_at", n.event.created_at)
        .field("unread", n.unread)
        .end_object();
}

struct event_handlers {
    event_service& events;
    event_hub& hub;
    auth::auth_service& auth;

    [[nodiscard]] awaitable<http::response> stream(http::request_context& ctx) const {
        const auto who = co_await auth::require_stream_principal(ctx, auth);
        const auto resume_after = resume_point(ctx);
        auto slot = hub.reserve_stream(who.user_id);
        if (!slot) {
            throw error::too_many(std::chrono::seconds{5}, "too_many_streams",
                                  "This account has as many event streams open as it may; close "
                                  "one (one per app or tab is enough).");
        }
        auto opened = co_await hub.open_stream(who.user_id, resume_after);
        // The slot goes with the stream function: freed when the stream ends, or when it
        // never starts.
        ctx.stream = [opened, held = std::move(*slot), online = hub.presence().connect(who)](
                         http::stream_channel& channel) { return opened->run(channel); };
        http::response res{http::status::ok, 11};
        res.set(http::field::content_type, "text/event-stream; charset=utf-8");
        res.set(http::field::cache_control, "no-store");
        // Tells nginx-style proxies not to hold events back in a buffer.
        res.set("X-Accel-Buffering", "no");
        co_return res;
    }

    [[nodiscard]] awaitable<http::response> list(http::request_context& ctx) const {
        const auto who = co_await auth::require_principal(ctx, auth);
        const auto cursor = id_param(ctx, "cursor");
        const auto limit = http::page_limit(ctx);
        const auto page = co_await events.list(who, cursor, limit);
        co_return http::json_text_response(http::status::ok, page_text(page, write_notification));
    }

    [[nodiscard]] awaitable<http::response> mark_read(http::request_context& ctx) const {
        const auto who = co_await auth::require_principal(ctx, auth);
        json_reader in{http::read_json_body(ctx)};
        in.reject_unknown({"up_to"});
        const auto up_to =
            in.required_integer("up_to", 0, std::numeric_limits<std::int64_t>::max());
        in.finish();
        const auto read_through = co_await events.mark_read(who, up_to);
        const auto unread = co_await events.unread_count(who);
        co_return http::json_response(http::status::ok,
                                      {{"read_through", read_through}, {"unread", unread}});
    }

    [[nodiscard]] awaitable<http::response> unread_count(http::request_context& ctx) const {
        const auto who = co_await auth::require_principal(ctx, auth);
        const auto unread = co_await events.unread_count(who);
        co_return http::json_response(http::status::ok, {{"unread", unread}});
    }
};

}  // namespace

void add_event_routes(http::router& routes, event_service& events, event_hub& hub,
                      auth::auth_service& auth) {
    const event_handlers h{events, hub, auth};
    using http::verb;
    routes.add(verb::get, "/api/v1/events", http::handler_of(h, &event_handlers::stream));
    routes.add(verb::get, "/api/v1/notifications", http::handler_of(h, &event_handlers::list));
    routes.add(verb::post, "/api/v1/notifications/read",
               http::handler_of(h, &event_handlers::mark_read));
    routes.add(verb::get, "/api/v1/notifications/unread-count",
               http::handler_of(h, &event_handlers::unread_count));
}

}  // namespace poki::notify
