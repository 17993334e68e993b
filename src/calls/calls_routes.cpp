#include "poki/calls/calls_routes.hpp"

#include "poki/auth/bearer.hpp"
#include "poki/calls/calls_json.hpp"
#include "poki/calls/ice_servers.hpp"
#include "poki/http/responses.hpp"

namespace poki::calls {
namespace {

struct calls_handlers {
    auth::auth_service& auth;
    const calls_config& cfg;

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

void add_calls_routes(http::router& routes, auth::auth_service& auth, const calls_config& cfg) {
    const calls_handlers h{auth, cfg};
    routes.add(http::verb::get, "/api/v1/calls/ice-servers",
               http::handler_of(h, &calls_handlers::ice_servers));
}

}  // namespace poki::calls
