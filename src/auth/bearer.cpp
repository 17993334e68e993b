#include "poki/auth/bearer.hpp"

#include <boost/beast/core/string.hpp>

namespace poki::auth {

awaitable<principal> require_principal(const http::request_context& ctx, auth_service& auth) {
    const auto header = ctx.req[http::field::authorization];
    const std::string_view value{header.data(), header.size()};
    constexpr std::string_view scheme{"Bearer "};
    if (value.size() <= scheme.size() ||
        !boost::beast::iequals(value.substr(0, scheme.size()), scheme)) {
        throw error{errc::unauthorized, "Send an access token as 'Authorization: Bearer <token>'."};
    }
    co_return co_await auth.authorize(value.substr(scheme.size()));
}

awaitable<principal> require_parent(const http::request_context& ctx, auth_service& auth) {
    const auto who = co_await require_principal(ctx, auth);
    if (who.role != role::parent) {
        throw error{errc::forbidden, "Only a parent may do this."};
    }
    co_return who;
}

}  // namespace poki::auth
