// One member's WebSocket connection as the hub and message handlers see it. The channel is
// the http module's; everything that touches it runs on the connection's strand, and
// messages from other threads are posted there.
#pragma once

#include <chrono>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "poki/core/principal.hpp"
#include "poki/http/websocket.hpp"

namespace poki::realtime {

class socket_client : public std::enable_shared_from_this<socket_client> {
  public:
    socket_client(principal who, std::string connection_id, http::websocket_channel& channel)
        : who_{who}
        , connection_id_{std::move(connection_id)}
        , strand_{channel.executor()}
        , channel_{&channel} {}

    [[nodiscard]] const principal& who() const noexcept { return who_; }
    /// Unique among all instances' connections: "<instance id>/<number>".
    [[nodiscard]] const std::string& connection_id() const noexcept { return connection_id_; }
    /// The connection's strand (outlives the connection).
    [[nodiscard]] const net::any_io_executor& executor() const noexcept { return strand_; }

    /// Queues a message (any thread); dropped once the connection has closed. Until the hello
    /// went out, messages wait behind it (a client always hears hello first).
    void send(std::shared_ptr<const std::string> text);
    /// Sends `hello` (strand only), then whatever arrived meanwhile.
    void greet(std::shared_ptr<const std::string> hello);
    /// Closes the connection (any thread) after what is queued.
    void close(http::close_code code, std::string reason);

    /// An `error` message for a message the server refused. Counts toward
    /// ws.max_errors_per_minute (strand only): true when the connection has used them up.
    bool refuse(std::string_view code, std::string_view detail, const std::string& in_reply_to,
                int max_per_minute);

    /// The connection ended: later sends are dropped (strand only).
    void detach() noexcept { channel_ = nullptr; }

  private:
    void deliver(std::shared_ptr<const std::string> text);

    principal who_;
    std::string connection_id_;
    net::any_io_executor strand_;
    http::websocket_channel* channel_;                            // strand only; null once detached
    std::deque<std::chrono::steady_clock::time_point> refusals_;  // strand only, last minute
    bool greeted_ = false;                                        // strand only
    std::vector<std::shared_ptr<const std::string>> before_hello_;  // strand only, bounded
};

}  // namespace poki::realtime
