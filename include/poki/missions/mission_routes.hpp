// HTTP for missions.
#pragma once

#include "poki/auth/auth_service.hpp"
#include "poki/core/config.hpp"
#include "poki/http/router.hpp"
#include "poki/missions/mission_service.hpp"

namespace poki::missions {

void add_mission_routes(http::router& routes, mission_service& missions, auth::auth_service& auth,
                        const missions_config& cfg);

}  // namespace poki::missions
