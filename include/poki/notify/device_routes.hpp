// PUT/DELETE /api/v1/devices/{fcm_token}: the apps' push registrations.
#pragma once

#include "poki/auth/auth_service.hpp"
#include "poki/http/router.hpp"
#include "poki/notify/device_service.hpp"

namespace poki::notify {

void add_device_routes(http::router& routes, device_service& devices, auth::auth_service& auth);

}  // namespace poki::notify
