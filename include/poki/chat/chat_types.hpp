// Chat rooms and messages as the chat service hands them out.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "poki/core/paging.hpp"

namespace poki::chat {

enum class room_kind { family, direct };

struct room {
    std::int64_t id = 0;
    std::int64_t family_id = 0;
    room_kind kind = room_kind::family;
    std::optional<std::int64_t> member_a;  ///< direct rooms: the pair, smaller id first
    std::optional<std::int64_t> member_b;

    [[nodiscard]] bool admits(std::int64_t user_id) const noexcept {
        return kind == room_kind::family || member_a == user_id || member_b == user_id;
    }
};

/// What a message is: words a member wrote, or a call they made that nobody answered (its
/// client_id is the call's id).
enum class message_kind { text, missed_call };

[[nodiscard]] constexpr std::string_view to_string(message_kind k) noexcept {
    return k == message_kind::missed_call ? "missed_call" : "text";
}

struct message {
    std::int64_t room_id = 0;
    std::int64_t id = 0;  ///< 1, 2, 3 … within the room, in commit order
    std::int64_t author_id = 0;
    std::string author_name;
    std::string client_id;
    std::optional<std::string> text;  ///< nullopt once deleted
    std::string created_at;           ///< RFC 3339, UTC
    message_kind kind = message_kind::text;
};

struct room_summary {
    room info;
    std::optional<message> last;
    std::int64_t unread = 0;
    std::string last_at;  ///< of the last message, or the room's creation
};

using message_page = page<message>;

}  // namespace poki::chat
