// The streams this instance holds, by user: subscribes to a user's Redis channel while they
// have a stream here, fans each published event out to their streams, and on every heartbeat
// compares each stream with PostgreSQL so an event lost by pub/sub still arrives. Whether a
// user is connected anywhere (pushes skip them) is the presence tracker's.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "poki/cache/redis_client.hpp"
#include "poki/core/config.hpp"
#include "poki/core/per_user_limit.hpp"
#include "poki/db/pool.hpp"
#include "poki/notify/event_stream.hpp"
#include "poki/presence/presence_tracker.hpp"

namespace poki::notify {

class event_hub {
  public:
    event_hub(net::io_context& ioc, db::pool& database, presence::presence_tracker& presence,
              const redis_config& redis_cfg, const events_config& cfg);
    ~event_hub();
    event_hub(const event_hub&) = delete;
    event_hub& operator=(const event_hub&) = delete;

    /// Connects the subscriber and starts the heartbeat.
    void start();
    void stop();

    /// A place for one more stream of the user, or nullopt when they hold
    /// events.max_streams_per_user here already. Thread-safe.
    [[nodiscard]] std::optional<per_user_limit::place> reserve_stream(std::int64_t user_id) {
        return stream_places_.reserve(user_id);
    }

    /// A stream for `user_id` that starts after `resume_after` (Last-Event-ID), or at the
    /// newest event when nullopt; begins with a reset when that point is no longer held.
    awaitable<std::shared_ptr<event_stream>> open_stream(std::int64_t user_id,
                                                         std::optional<std::int64_t> resume_after);

    /// A stream of `user_id` opened here: subscribe to their channel if it is their first.
    /// Thread-safe.
    void attach(std::int64_t user_id, const std::shared_ptr<event_stream>& stream);
    /// The stream closed: unsubscribe if it was their last here.
    void detach(std::int64_t user_id, const event_stream* stream);
    /// Awaits Redis's confirmation of the user's subscription (bounded by a few seconds; a
    /// stream goes on without it and relies on its heartbeat check meanwhile).
    awaitable<bool> wait_subscribed(std::int64_t user_id);

    /// Whether any instance holds a live connection of the user.
    awaitable<bool> online(std::int64_t user_id);

    /// Ends every stream of the user here (signed out everywhere, removed). Thread-safe.
    void end_streams(std::int64_t user_id);

    /// Who is online; every stream holds its user's presence while it lives.
    [[nodiscard]] presence::presence_tracker& presence() noexcept { return presence_; }

    [[nodiscard]] std::size_t stream_count() const;
    /// The pub/sub connection's state, for poki_redis_connected{connection="subscriber"}.
    [[nodiscard]] cache::redis_stats subscriber_stats() const { return subscriber_.stats(); }
    void render_metrics(std::string& out) const;

  private:
    void on_message(std::string_view channel, std::string_view payload);
    awaitable<void> heartbeat_loop();
    awaitable<void> heartbeat_once();
    [[nodiscard]] std::vector<std::shared_ptr<event_stream>> streams_of(std::int64_t user_id) const;

    net::io_context& ioc_;
    db::pool& database_;
    presence::presence_tracker& presence_;
    const events_config& config_;
    mutable std::mutex mutex_;
    std::unordered_map<std::int64_t, std::vector<std::weak_ptr<event_stream>>> streams_;
    std::size_t stream_count_ = 0;  // guarded by mutex_
    per_user_limit stream_places_;
    cache::redis_subscriber subscriber_;
    stream_stats stats_;
    std::atomic<std::uint64_t> delivered_{0};
    std::atomic<std::uint64_t> heartbeats_{0};
};

}  // namespace poki::notify
