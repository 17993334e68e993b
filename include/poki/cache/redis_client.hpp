// Asynchronous Redis on the io_context (hiredis async API driven by Asio): commands,
// pipelines and pub/sub, reconnecting by itself with backoff. While Redis is down, calls
// fail at once with errc::unavailable instead of waiting.
#pragma once

#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "poki/cache/redis_reply.hpp"
#include "poki/core/config.hpp"
#include "poki/core/net.hpp"
#include "poki/core/unique_function.hpp"

namespace poki::cache {

enum class redis_state { connecting, connected, disconnected, stopped };

using redis_command = std::vector<std::string>;

namespace detail {
class redis_connection;
}

/// Counters for /metrics.
struct redis_stats {
    redis_state state = redis_state::disconnected;
    std::uint64_t connects = 0;
    std::uint64_t commands = 0;
    std::uint64_t failures = 0;  ///< refused while down, timed out, or lost with the connection
};

struct named_redis_stats {
    std::string_view connection;  ///< the `connection` label: "commands", "subscriber"
    redis_stats stats;
};

/// Each connection's state, one header per metric family (Prometheus wants a family's samples
/// together).
void render_redis_metrics(std::string& out, std::span<const named_redis_stats> connections);

/// Commands and pipelines. Safe to call from any coroutine on any executor.
class redis_client {
  public:
    redis_client(net::io_context& ioc, const redis_config& cfg);
    ~redis_client();
    redis_client(const redis_client&) = delete;
    redis_client& operator=(const redis_client&) = delete;

    /// Connects in the background and keeps reconnecting until stop().
    void start();
    /// Closes the connection; pending commands fail with errc::unavailable.
    void stop();

    /// One command. Redis error replies come back as replies (is_error()); a connection that
    /// is down, lost or silent past command_timeout throws poki::error (errc::unavailable).
    awaitable<redis_reply> command(redis_command args);

    /// Several commands sent together; one reply each, in order.
    awaitable<std::vector<redis_reply>> pipeline(std::vector<redis_command> commands);

    [[nodiscard]] redis_stats stats() const;

  private:
    std::shared_ptr<detail::redis_connection> connection_;
};

/// Pub/sub on a connection of its own; re-subscribes every channel after a reconnect.
class redis_subscriber {
  public:
    using message_handler = std::function<void(std::string_view channel, std::string_view payload)>;

    /// `on_message` runs on the subscriber's strand; keep it short.
    redis_subscriber(net::io_context& ioc, const redis_config& cfg, message_handler on_message);
    ~redis_subscriber();
    redis_subscriber(const redis_subscriber&) = delete;
    redis_subscriber& operator=(const redis_subscriber&) = delete;

    void start();
    void stop();

    /// Thread-safe; takes effect now if connected, otherwise at the next connect.
    void subscribe(std::string channel);
    void unsubscribe(std::string channel);

    /// Awaits until every channel asked for so far is confirmed by Redis, or the timeout.
    awaitable<bool> wait_subscribed(milliseconds timeout);

    /// Awaits Redis's confirmation of one channel, or the timeout.
    awaitable<bool> wait_subscribed(std::string channel, milliseconds timeout);

    [[nodiscard]] redis_stats stats() const;

  private:
    class state;
    std::shared_ptr<detail::redis_connection> connection_;
    std::shared_ptr<state> state_;
};

}  // namespace poki::cache
