// /api/v1/family, its members, its link codes, and /api/v1/auth/join (redeeming one).
#pragma once

#include "poki/auth/auth_service.hpp"
#include "poki/family/family_service.hpp"
#include "poki/http/router.hpp"

namespace poki::family {

void add_family_routes(http::router& routes, family_service& families, auth::auth_service& auth);

}  // namespace poki::family
