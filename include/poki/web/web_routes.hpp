// The web app's pages and files: GET and HEAD of every path no API route owns.
#pragma once

#include "poki/http/router.hpp"
#include "poki/web/static_site.hpp"

namespace poki::web {

/// The policy every HTML page is served with: scripts, styles and connections from this
/// origin only, no inline script or eval, no framing; calls may use camera and microphone.
inline constexpr std::string_view content_security_policy{
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "media-src 'self' blob:; connect-src 'self'; font-src 'self'; manifest-src 'self'; "
    "worker-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"};
inline constexpr std::string_view permissions_policy{
    "camera=(self), microphone=(self), display-capture=(), geolocation=(), payment=(), "
    "usb=()"};

/// Sets the router's fallback to the site (which must outlive the router).
void add_web_routes(http::router& routes, const static_site& site);

}  // namespace poki::web
