// /api/v1/auth/* and /api/v1/me.
#pragma once

#include "poki/auth/auth_service.hpp"
#include "poki/http/router.hpp"

namespace poki::auth {

void add_auth_routes(http::router& routes, auth_service& service);

}  // namespace poki::auth
