// GET /api/v1/ws (the WebSocket: presence, calls) and GET /api/v1/family/presence.
#pragma once

#include "poki/auth/auth_service.hpp"
#include "poki/db/pool.hpp"
#include "poki/http/router.hpp"
#include "poki/presence/presence_tracker.hpp"
#include "poki/realtime/socket_hub.hpp"

namespace poki::realtime {

void add_realtime_routes(http::router& routes, socket_hub& hub,
                         presence::presence_tracker& presence, db::pool& database,
                         auth::auth_service& auth);

}  // namespace poki::realtime
