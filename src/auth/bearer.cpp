#include "poki/auth/bearer.hpp"

namespace poki::auth {

awaitable<principal> require_principal(const http::request_context& ctx, auth_service& auth) {
    const auto token = ctx.bearer_token();
    if (!token) {
        throw error{errc::unauthorized, "token_missing",
                    "Send an access token as 'Authorization: Bearer <token>'."};
    }
    co_return auth.authorize(*token);
}

awaitable<principal> require_stream_principal(const http::request_context& ctx,
                                              auth_service& auth) {
    if (!ctx.req[http::field::authorization].empty()) {
        co_return co_await require_principal(ctx, auth);
    }
    auto ticket = ctx.query_param("ticket");
    if (!ticket || ticket->empty() || ticket->size() > 128) {
        throw error{errc::unauthorized,
                    "Send an access token as 'Authorization: Bearer <token>' or a stream ticket "
                    "as '?ticket='."};
    }
    auto who = co_await auth.redeem_stream_ticket(std::move(*ticket));
    if (!who) {
        throw error{errc::unauthorized, "ticket_invalid",
                    "This stream ticket is unknown, used or expired."};
    }
    co_return *who;
}

awaitable<principal> require_parent(const http::request_context& ctx, auth_service& auth) {
    const auto who = co_await require_principal(ctx, auth);
    if (who.role != role::parent) {
        throw error{errc::forbidden, "parents_only", "Only a parent may do this."};
    }
    co_return who;
}

}  // namespace poki::auth
