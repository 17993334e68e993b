// /api/v1/auth/* and /api/v1/me.
#pragma once

#include "poki/auth/auth_service.hpp"
#include "poki/http/router.hpp"

namespace poki::auth {

void add_auth_routes(http::router& routes, auth_service& service);

/// A browser asks for its session in a cookie with this header (value "cookie"); a form
/// cannot send it, and another origin cannot without a preflight we refuse.
inline constexpr std::string_view session_mode_header{"X-Poki-Session"};
inline constexpr std::string_view refresh_cookie_name{"poki_refresh"};
inline constexpr std::string_view refresh_cookie_path{"/api/v1/auth"};

/// Whether the request asks for a cookie session. Throws errc::bad_request for another
/// header value and errc::forbidden when its Origin is not trusted. Call it before acting.
[[nodiscard]] bool wants_cookie_session(const http::request_context& ctx);

/// The answer that starts or renews a session: tokens in the JSON body for apps; for a
/// cookie session the refresh token only in an HttpOnly cookie, never in the body.
[[nodiscard]] http::response session_response(const http::request_context& ctx, http::status code,
                                              const session_tokens& tokens, bool cookie_session);

}  // namespace poki::auth
