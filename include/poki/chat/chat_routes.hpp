// HTTP for family chat.
#pragma once

#include "poki/auth/auth_service.hpp"
#include "poki/chat/chat_service.hpp"
#include "poki/core/config.hpp"
#include "poki/http/router.hpp"

namespace poki::chat {

void add_chat_routes(http::router& routes, chat_service& chat, auth::auth_service& auth,
                     const chat_config& cfg);

/// A UUID in its 8-4-4-4-12 hex form, lower-cased; nullopt otherwise.
[[nodiscard]] std::optional<std::string> normalize_uuid(std::string_view text);

}  // namespace poki::chat
