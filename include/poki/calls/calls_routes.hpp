// GET /api/v1/calls (the family's calls) and GET /api/v1/calls/ice-servers.
#pragma once

#include "poki/auth/auth_service.hpp"
#include "poki/calls/call_service.hpp"
#include "poki/core/config.hpp"
#include "poki/http/router.hpp"

namespace poki::calls {

void add_calls_routes(http::router& routes, auth::auth_service& auth, call_service& calls,
                      const calls_config& cfg);

}  // namespace poki::calls
