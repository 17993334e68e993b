// HTTP for family chat.
#pragma once

#include "poki/auth/auth_service.hpp"
#include "poki/chat/chat_service.hpp"
#include "poki/core/config.hpp"
#include "poki/http/router.hpp"

namespace poki::chat {

void add_chat_routes(http::router& routes, chat_service& chat, auth::auth_service& auth,
                     const chat_config& cfg);

}  // namespace poki::chat
