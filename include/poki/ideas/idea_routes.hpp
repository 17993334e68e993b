// GET /api/v1/mission-ideas?tag=&age= and POST /api/v1/mission-ideas/assign.
#pragma once

#include "poki/auth/auth_service.hpp"
#include "poki/http/router.hpp"
#include "poki/ideas/idea_service.hpp"

namespace poki::ideas {

void add_idea_routes(http::router& routes, idea_service& ideas, auth::auth_service& auth);

}  // namespace poki::ideas
