// What the notification center stores and delivers: one event for one recipient.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace poki::notify {

/// The text of a push notification for an event that deserves one.
struct push_text {
    std::string title;
    std::string body;
};

/// An event a feature wants recorded, before it has its number.
struct event_draft {
    std::int64_t user_id = 0;
    std::string type;  ///< `area.verb`, e.g. family.member_joined
    nlohmann::json data = nlohmann::json::object();
    /// Set when the event should reach a user who is not connected; whether it does also
    /// depends on push.event_types.
    std::optional<push_text> push;
};

/// A recorded event. `seq` numbers the recipient's events 1, 2, 3 … in commit order.
struct stored_event {
    std::int64_t user_id = 0;
    std::int64_t seq = 0;
    std::string type;
    std::string data;        ///< JSON object text
    std::string created_at;  ///< RFC 3339, UTC
};

/// Where a recipient's event history stands.
struct event_position {
    std::int64_t last_seq = 0;        ///< the newest event's number (0: none yet)
    std::int64_t pruned_through = 0;  ///< events up to here may be gone (retention)
};

}  // namespace poki::notify
