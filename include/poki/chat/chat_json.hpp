// Rooms and messages as the apps see them, the same in API answers and in event data.
#pragma once

#include <nlohmann/json.hpp>

#include "poki/chat/chat_types.hpp"
#include "poki/core/json_writer.hpp"

namespace poki::chat {

/// A message as answers show it: the one list of its fields.
void write_message(json_writer& out, const message& m);
/// The same as a JSON value, for event data and room summaries.
[[nodiscard]] nlohmann::json message_json(const message& m);
void write_room(json_writer& out, const room& r);
[[nodiscard]] nlohmann::json room_json(const room& r);
/// A room in the rooms list: the room, its last message, unread count and last activity.
void write_room_summary(json_writer& out, const room_summary& s);

/// The first `max_chars` code points of a valid UTF-8 text, "…" appended when cut.
[[nodiscard]] std::string preview(std::string_view text, std::size_t max_chars);

}  // namespace poki::chat
