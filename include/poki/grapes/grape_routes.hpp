// HTTP for grape boards and the grape ledger.
#pragma once

#include "poki/auth/auth_service.hpp"
#include "poki/grapes/board_service.hpp"
#include "poki/http/router.hpp"

namespace poki::grapes {

void add_grape_routes(http::router& routes, board_service& boards, auth::auth_service& auth);

}  // namespace poki::grapes
