// HTTP for the gift catalog and wishlists.
#pragma once

#include "poki/auth/auth_service.hpp"
#include "poki/gifts/gift_service.hpp"
#include "poki/http/router.hpp"

namespace poki::gifts {

void add_gift_routes(http::router& routes, gift_service& gifts, auth::auth_service& auth);

/// An absolute http(s) URL with a host, at most 2,000 characters, no spaces or controls.
[[nodiscard]] bool is_web_url(std::string_view text);

}  // namespace poki::gifts
