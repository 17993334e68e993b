#include "poki/http/cors.hpp"

#include <algorithm>
#include <stdexcept>

#include "poki/core/comma_list.hpp"

namespace poki::http {
namespace {

bool is_origin(std::string_view o) {
    const auto scheme_end = o.find("://");
    if (scheme_end == std::string_view::npos) {
        return false;
    }
    const auto scheme = o.substr(0, scheme_end);
    const auto authority = o.substr(scheme_end + 3);
    const bool known_scheme = scheme == "https" || scheme == "http";
    const bool plain_authority =
        !authority.empty() && std::all_of(authority.begin(), authority.end(), [](char c) {
            return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-' ||
                   c == ':' || c == '[' || c == ']';
        });
    return known_scheme && plain_authority;
}

std::string_view header(const request& req, field f) {
    const auto v = req[f];
    return {v.data(), v.size()};
}

}  // namespace

cors_policy::cors_policy(std::string_view origins) {
    for (const auto one : comma_list(origins)) {
        if (!is_origin(one)) {
            throw std::invalid_argument{"\"" + std::string{one} +
                                        "\" is not an origin like https://app.example.com"};
        }
        origins_.emplace_back(one);
    }
}

bool cors_policy::allows(std::string_view origin) const noexcept {
    return std::find(origins_.begin(), origins_.end(), origin) != origins_.end();
}

bool cors_policy::trusts(const request& req) const noexcept {
    const auto origin = header(req, field::origin);
    const auto scheme_end = origin.find("://");
    if (scheme_end == std::string_view::npos) {
        return false;  // absent, or "null" (a sandboxed page, a file)
    }
    if (allows(origin)) {
        return true;
    }
    const auto authority = origin.substr(scheme_end + 3);
    const auto host = header(req, field::host);
    return !authority.empty() && beast::iequals(authority, host);
}

void cors_policy::decorate(response& res, const request& req) const {
    const auto origin = header(req, field::origin);
    if (origin.empty() || !allows(origin)) {
        return;
    }
    res.set(field::access_control_allow_origin, origin);
    res.set(field::access_control_expose_headers, "X-Request-Id, Retry-After");
    // The refresh cookie travels on fetch(…, {credentials: "include"}) from these origins.
    res.set(field::access_control_allow_credentials, "true");
    // The answer differs by Origin: caches must keep them apart.
    res.set(field::vary, "Origin");
}

bool cors_policy::answer_preflight(response& res, const request& req,
                                   std::string_view allow) const {
    if (req.method() != verb::options ||
        header(req, field::access_control_request_method).empty() ||
        !allows(header(req, field::origin))) {
        return false;
    }
    res.set(field::access_control_allow_methods, allow);
    res.set(field::access_control_allow_headers,
            "Authorization, Content-Type, Idempotency-Key, X-Request-Id, X-Poki-Session");
    res.set(field::access_control_allow_credentials, "true");
    res.set(field::access_control_max_age, "600");
    return true;
}

}  // namespace poki::http
