#include "poki/calls/calls_routes.hpp"

#include "poki/auth/bearer.hpp"
#include "poki/calls/calls_json.hpp"
#include "poki/calls/ice_servers.hpp"
#include "poki/core/json_writer.hpp"
#include "poki/http/query_params.hpp"
#include "poki/http/responses.hpp"

namespace poki::calls {
namespace {

struct calls_handlers {
    auth::auth_service& auth;
    call_service& calls;
    const calls_config& cfg;

    /// The family's calls, newest first: answered, missed, rejected, and going on.
    [[nodiscard]] awaitable<http::response> list(http::request_context& ctx) const {
        const auto who = co_await auth::require_principal(ctx, auth);
        const auto cursor = http::page_cursor(ctx);
        const auto limit = http::page_limit(ctx);
        const auto listed = co_await calls.list(who, cursor, limit);
        co_return http::json_text_response(
            http::status::ok, page_text(listed, [](json_writer& out, const call_record& c) {
                out.raw(call_json(c).dump());
            }));
    }

    /// Members only: TURN relays cost bandwidth, so its credentials go to signed-in users.
    [[nodiscard]] awaitable<http::response> ice_servers(http::request_context& ctx) const {
        const auto who = co_await auth::require_principal(ctx, auth);
        const auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
        auto res = http::json_response(
            http::status::ok, ice_servers_json(ice_servers_for(cfg, who.user_id, now), now));
        co_return res;
    }
};

}  // namespace

void add_calls_routes(http::router& routes, auth::auth_service& auth, call_service& calls,
                      const calls_config& cfg) {
    const calls_handlers h{auth, calls, cfg};
    routes.add(http::verb::get, "/api/v1/calls", http::handler_of(h, &calls_handlers::list));
    routes.add(http::verb::get, "/api/v1/calls/ice-servers",
               http::handler_of(h, &calls_handlers::ice_servers));
}

}  // namespace poki::calls
