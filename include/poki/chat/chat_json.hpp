// Rooms and messages as the apps see them, the same in API answers and in event data.
#pragma once

#include <nlohmann/json.hpp>

#include "poki/chat/chat_types.hpp"

namespace poki::chat {

[[nodiscard]] nlohmann::json message_json(const message& m);
[[nodiscard]] nlohmann::json room_json(const room& r);

/// The first `max_chars` code points of a valid UTF-8 text, "…" appended when cut.
[[nodiscard]] std::string preview(std::string_view text, std::size_t max_chars);

}  // namespace poki::chat
