// Family chat: the family room and direct rooms, idempotent sends, history both ways,
// read marks and tombstones, each change told to the room's other members as an event.
// Rooms of another family, or a direct room the caller is not in, are "not found".
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "poki/chat/chat_types.hpp"
#include "poki/chat/message_writer.hpp"
#include "poki/core/principal.hpp"
#include "poki/db/pool.hpp"
#include "poki/db/read_pipeline.hpp"
#include "poki/notify/event_service.hpp"

namespace poki::chat {

class chat_service {
  public:
    chat_service(db::pool& database, db::read_pipeline& reads, notify::event_service& events,
                 message_writer& writer);

    /// Most recent activity first. A page's next_cursor is the position of the next page
    /// (as in gift search): rooms move up as they get messages, so there is no fixed key.
    awaitable<page<room_summary>> rooms(principal who, std::optional<std::int64_t> cursor,
                                        int limit);
    /// The direct room with another member of the family; the same pair always gets the
    /// same room. Second: whether it was made just now.
    awaitable<room> open_direct(principal who, std::int64_t member_id);
    /// `text` is checked and trimmed by the caller.
    awaitable<send_outcome> send(principal who, std::int64_t room_id, std::string client_id,
                                 std::string text);
    awaitable<message_page> history(principal who, std::int64_t room_id,
                                    std::optional<std::int64_t> before,
                                    std::optional<std::int64_t> after, int limit);
    /// Returns the read mark after the update (it never moves back).
    awaitable<std::int64_t> mark_read(principal who, std::int64_t room_id, std::int64_t message_id);
    /// Only the author; the message stays as a tombstone.
    awaitable<void> remove_message(principal who, std::int64_t room_id, std::int64_t message_id);

  private:
    /// The room if the caller may use it; errc::not_found otherwise.
    awaitable<room> accessible_room(principal who, std::int64_t room_id);

    db::pool& database_;
    db::read_pipeline& reads_;
    notify::event_service& events_;
    message_writer& writer_;
};

}  // namespace poki::chat
