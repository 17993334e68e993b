// POST /api/v1/client-errors: apps report crashes and errors.
#pragma once

#include "poki/auth/auth_service.hpp"
#include "poki/diagnostics/client_error_service.hpp"
#include "poki/http/router.hpp"

namespace poki::diagnostics {

void add_client_error_routes(http::router& routes, client_error_service& service,
                             auth::auth_service& auth);

}  // namespace poki::diagnostics
