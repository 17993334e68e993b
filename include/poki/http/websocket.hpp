// WebSocket connections as routes see them: a route that upgrades hands the connection to a
// function that reads and sends text messages; Beast stays inside the http module.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <boost/asio/any_io_executor.hpp>

#include "poki/core/net.hpp"
#include "poki/core/unique_function.hpp"

namespace poki::http {

/// RFC 6455 close codes the server sends, plus the application's own (4000-4999).
enum class close_code : std::uint16_t {
    normal = 1000,
    going_away = 1001,        ///< the server is shutting down
    unsupported_data = 1003,  ///< a binary message
    policy_violation = 1008,  ///< repeated malformed or refused messages
    too_big = 1009,           ///< a message over ws.max_message_bytes
    internal_error = 1011,
    session_ended = 4001,      ///< signed out everywhere or removed from the family
    replaced_by_limit = 4002,  ///< too many connections of one user
};

/// The connection as a websocket function sees it. Every member is called on executor().
class websocket_channel {
  public:
    virtual ~websocket_channel() = default;

    /// The connection's strand.
    [[nodiscard]] virtual net::any_io_executor executor() = 0;

    /// The next text message; nullopt once the connection is closed (by either side, a
    /// binary message, an oversized one, missing pongs, or the server stopping).
    virtual awaitable<std::optional<std::string>> read() = 0;

    /// Queues a text message. Unsent bytes are bounded by ws.max_queued_bytes: a client that
    /// stops reading is cut off (the connection closes) rather than buffered without end;
    /// false then, and once the connection is closing.
    virtual bool send(std::shared_ptr<const std::string> text) = 0;

    /// Sends a close frame after what is queued, then ends the connection.
    virtual void close(close_code code, std::string_view reason) = 0;
};

/// Runs for as long as the connection lives; the connection closes when it returns.
using websocket_function = unique_function<awaitable<void>(websocket_channel&)>;

}  // namespace poki::http
