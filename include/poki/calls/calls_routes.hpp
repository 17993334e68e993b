// GET /api/v1/calls/ice-servers.
#pragma once

#include "poki/auth/auth_service.hpp"
#include "poki/core/config.hpp"
#include "poki/http/router.hpp"

namespace poki::calls {

void add_calls_routes(http::router& routes, auth::auth_service& auth, const calls_config& cfg);

}  // namespace poki::calls
