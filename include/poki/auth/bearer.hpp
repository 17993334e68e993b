// Routes' side of authentication: the Bearer token of a request, checked.
#pragma once

#include "poki/auth/auth_service.hpp"
#include "poki/http/request_context.hpp"

namespace poki::auth {

/// The caller, from `Authorization: Bearer <token>`; throws errc::unauthorized otherwise
/// (also once the member was removed from their family).
awaitable<principal> require_principal(const http::request_context& ctx, auth_service& auth);

/// For EventSource and WebSocket, which cannot send headers: the Bearer token if there is
/// one, otherwise the one-time `?ticket=` (POST /api/v1/stream-tickets).
awaitable<principal> require_stream_principal(const http::request_context& ctx, auth_service& auth);

/// The caller, who must be a parent: errc::forbidden for a child.
awaitable<principal> require_parent(const http::request_context& ctx, auth_service& auth);

}  // namespace poki::auth
