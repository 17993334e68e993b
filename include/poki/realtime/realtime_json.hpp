// The WebSocket's messages from the server, as JSON text.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "poki/core/principal.hpp"
#include "poki/presence/presence_types.hpp"

namespace poki::realtime {

nlohmann::json presence_json(const presence::member_presence& member);

/// `hello`: who the connection is, and every member's presence.
std::string hello_message(const principal& who,
                          const std::vector<presence::member_presence>& members);
/// `presence`: one member's state changed.
std::string presence_message(const presence::member_presence& member);
/// The client's `id` of a message, echoed in replies so it can match them: strings (at most 64
/// characters) and integers; empty otherwise.
[[nodiscard]] std::string message_id(const nlohmann::json& message);

/// `error`: a message the server refused; `in_reply_to` echoes the client's `id` when it had one.
std::string error_message(std::string_view code, std::string_view detail,
                          const std::string& in_reply_to);

}  // namespace poki::realtime
