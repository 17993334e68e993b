// HTTP for reservations.
#pragma once

#include "poki/auth/auth_service.hpp"
#include "poki/core/config.hpp"
#include "poki/http/router.hpp"
#include "poki/reservations/reservation_service.hpp"

namespace poki::reservations {

void add_reservation_routes(http::router& routes, reservation_service& reservations,
                            auth::auth_service& auth, const missions_config& missions);

}  // namespace poki::reservations
