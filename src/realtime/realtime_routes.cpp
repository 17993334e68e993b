#include "poki/realtime/realtime_routes.hpp"

#include <boost/beast/websocket/rfc6455.hpp>

#include "poki/auth/bearer.hpp"
#include "poki/family/family_lookup.hpp"
#include "poki/http/responses.hpp"
#include "poki/realtime/realtime_json.hpp"

namespace poki::realtime {
namespace {

struct realtime_handlers {
    socket_hub& hub;
    presence::presence_tracker& presence;
    db::pool& database;
    auth::auth_service& auth;

    /// A browser's connection must come from this server's pages or a configured origin:
    /// cookies do not reach here, but a ticket in another site's page would. Native apps send
    /// no Origin.
    [[nodiscard]] awaitable<http::response> socket(http::request_context& ctx) const {
        if (!ctx.req[http::field::origin].empty() && !ctx.trusted_origin) {
            throw error{errc::forbidden, "untrusted_origin",
                        "WebSocket connections are accepted from this server's own pages and "
                        "the configured origins only."};
        }
        if (!boost::beast::websocket::is_upgrade(ctx.req)) {
            throw error{errc::bad_request, "websocket_upgrade_required",
                        "This resource is a WebSocket: send a GET with 'Upgrade: websocket'."};
        }
        const auto who = co_await auth::require_stream_principal(ctx, auth);
        auto slot = hub.reserve(who.user_id);
        if (!slot) {
            throw error::too_many(std::chrono::seconds{5}, "too_many_sockets",
                                  "This account has as many WebSocket connections open as it "
                                  "may; close one (one per app or tab is enough).");
        }
        ctx.websocket = [to = &hub, who, held = std::move(*slot)](
                            http::websocket_channel& channel) { return to->serve(who, channel); };
        co_return http::response{http::status::switching_protocols, 11};
    }

    [[nodiscard]] awaitable<http::response> family_presence(http::request_context& ctx) const {
        const auto who = co_await auth::require_principal(ctx, auth);
        auto read = [family = who.family_id](pqxx::connection& c) {
            pqxx::read_transaction tx{c};
            return family::member_ids(tx, family);
        };
        const auto members = co_await database.run(std::move(read));
        const auto states = co_await presence.of_members(who.family_id, members);
        auto items = nlohmann::json::array();
        for (const auto& s : states) {
            items.push_back(presence_json(s));
        }
        co_return http::json_response(http::status::ok, {{"items", std::move(items)}});
    }
};

}  // namespace

void add_realtime_routes(http::router& routes, socket_hub& hub,
                         presence::presence_tracker& presence, db::pool& database,
                         auth::auth_service& auth) {
    const realtime_handlers h{hub, presence, database, auth};
    routes.add(http::verb::get, "/api/v1/ws", http::handler_of(h, &realtime_handlers::socket));
    routes.add(http::verb::get, "/api/v1/family/presence",
               http::handler_of(h, &realtime_handlers::family_presence));
}

}  // namespace poki::realtime
