// The WebSocket connections this instance holds: presence for the member's family (a hello
// on connect, then every change), the messages features handle (calls), and closing a
// member's connections when they are signed out everywhere or removed, on every instance.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <nlohmann/json.hpp>

#include "poki/cache/redis_client.hpp"
#include "poki/core/config.hpp"
#include "poki/core/per_user_limit.hpp"
#include "poki/db/pool.hpp"
#include "poki/http/websocket.hpp"
#include "poki/presence/presence_tracker.hpp"
#include "poki/realtime/socket_client.hpp"

namespace poki::realtime {

/// Told when a connection has closed (any thread).
using disconnect_handler = std::function<void(const socket_client& gone)>;

/// Handles one message type (`call.invite` …) on the connection's strand; messages of one
/// connection are handled one after another, in order. A poki::error it throws becomes an
/// `error` message with the error's reason as code.
using message_handler =
    std::function<awaitable<void>(socket_client& from, const nlohmann::json& message)>;

class socket_hub {
  public:
    using revoked_elsewhere = std::function<void(std::int64_t user_id, std::int64_t floor)>;

    /// `on_revoked_elsewhere(user_id, generation_floor)`: another instance revoked the user's
    /// sessions below that generation (removal: all of them).
    socket_hub(net::io_context& ioc, db::pool& database, presence::presence_tracker& presence,
               const redis_config& redis_cfg, cache::redis_client& redis,
               const websocket_config& cfg, revoked_elsewhere on_revoked_elsewhere);
    ~socket_hub();
    socket_hub(const socket_hub&) = delete;
    socket_hub& operator=(const socket_hub&) = delete;

    void start();
    void stop();

    /// Before serving: the handler of messages of `type`.
    void handle(std::string type, message_handler fn);
    /// Before serving: told of every connection that closes.
    void on_disconnect(disconnect_handler fn) { disconnect_handlers_.push_back(std::move(fn)); }

    /// A place for one more connection of the user, or nullopt at the limit. Thread-safe.
    [[nodiscard]] std::optional<per_user_limit::place> reserve(std::int64_t user_id) {
        return places_.reserve(user_id);
    }

    /// Serves one connection until it closes.
    awaitable<void> serve(principal who, http::websocket_channel& channel);

    /// Closes the user's connections here with 4001 (session ended). Thread-safe.
    void end_sessions(std::int64_t user_id);
    /// Tells every other instance to revoke the user's sessions below `generation_floor` (after
    /// a removal or a "log out everywhere" committed here).
    void announce_revocation(std::int64_t user_id, std::int64_t generation_floor);

    /// Sends `text` to every connection of the user, on whichever instance holds them.
    awaitable<void> send_to_user(std::int64_t user_id, std::string text);
    /// Sends `text` to every connection of the user but one.
    awaitable<void> send_to_user_except(std::int64_t user_id, const std::string& connection_id,
                                        std::string text);
    /// Sends `text` to one connection of the user, on whichever instance holds it.
    awaitable<void> send_to_connection(std::int64_t user_id, const std::string& connection_id,
                                       std::string text);

    /// The Redis channel each instance holding a connection of the user listens on. A payload
    /// is a message for all the user's connections, "@<connection id> <message>" for one
    /// (what addressed() writes; Redis scripts that publish write the same), or
    /// "!<connection id> <message>" for all but one.
    [[nodiscard]] static std::string channel_of(std::int64_t user_id);
    [[nodiscard]] static std::string addressed(std::string_view connection_id,
                                               std::string_view text);

    /// This instance's id, which begins every connection id here.
    [[nodiscard]] const std::string& instance_id() const noexcept;

    [[nodiscard]] std::size_t connection_count() const;
    void render_metrics(std::string& out) const;

  private:
    void attach(const std::shared_ptr<socket_client>& client);
    void detach(const socket_client* client);
    void on_message(std::string_view channel, std::string_view payload);
    void deliver_presence(std::string_view payload);
    [[nodiscard]] std::vector<std::shared_ptr<socket_client>> clients_of_user(
        std::int64_t user_id) const;
    awaitable<void> say_hello(socket_client& client);
    awaitable<void> dispatch(socket_client& client, const std::string& text);

    net::io_context& ioc_;
    db::pool& database_;
    presence::presence_tracker& presence_;
    cache::redis_client& redis_;
    const websocket_config& config_;
    revoked_elsewhere on_revoked_elsewhere_;
    std::unordered_map<std::string, message_handler> handlers_;  // set before serving
    std::vector<disconnect_handler> disconnect_handlers_;        // set before serving
    std::atomic<std::uint64_t> next_connection_{1};
    mutable std::mutex mutex_;
    std::unordered_map<std::int64_t, std::vector<std::weak_ptr<socket_client>>> by_user_;
    std::unordered_map<std::int64_t, std::vector<std::weak_ptr<socket_client>>> by_family_;
    per_user_limit places_;
    std::size_t count_ = 0;  // guarded by mutex_
    cache::redis_subscriber subscriber_;
    std::atomic<std::uint64_t> opened_{0};
    std::atomic<std::uint64_t> refused_{0};
    std::atomic<std::uint64_t> messages_{0};
    std::atomic<std::uint64_t> ended_{0};
};

}  // namespace poki::realtime
