// HTTP for the notification center: the SSE stream and the notification list.
#pragma once

#include "poki/auth/auth_service.hpp"
#include "poki/http/router.hpp"
#include "poki/notify/event_hub.hpp"
#include "poki/notify/event_service.hpp"

namespace poki::notify {

void add_event_routes(http::router& routes, event_service& events, event_hub& hub,
                      auth::auth_service& auth);

}  // namespace poki::notify
