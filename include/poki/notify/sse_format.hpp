// The text/event-stream wire format (WHATWG HTML, "server-sent events"), and the message
// that carries an event between instances over Redis pub/sub.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "poki/notify/event.hpp"

namespace poki::notify {

/// `id:`, `event:` and `data:` lines and the blank line that ends the event. `data` must
/// be one line (compact JSON is).
[[nodiscard]] std::string sse_event(std::int64_t id, std::string_view type, std::string_view data);
/// The same without `id:`, for a stream that is not resumed.
[[nodiscard]] std::string sse_event(std::string_view type, std::string_view data);

/// A comment line, which clients ignore: keeps proxies from closing an idle stream.
[[nodiscard]] std::string sse_comment(std::string_view text);

/// How long a client waits before reconnecting.
[[nodiscard]] std::string sse_retry(int milliseconds);

/// The Redis message for an event: "<seq>\n<type>\n<data>".
[[nodiscard]] std::string encode_live_event(const stored_event& e);

struct live_event {
    std::int64_t seq = 0;
    std::string_view type;
    std::string_view data;
};
/// nullopt for a message that is not one of ours.
[[nodiscard]] std::optional<live_event> decode_live_event(std::string_view message);

/// The channel a user's events are published on.
[[nodiscard]] std::string user_channel(std::int64_t user_id);
/// The user a channel belongs to; nullopt for another channel.
[[nodiscard]] std::optional<std::int64_t> user_of_channel(std::string_view channel);

/// A resume position from `Last-Event-ID` or `?since=`: a non-negative integer.
[[nodiscard]] std::optional<std::int64_t> parse_event_id(std::string_view text);

}  // namespace poki::notify
