// The streams this instance holds, by user: subscribes to a user's Redis channel while they
// have a stream here, fans each published event out to their streams, keeps their presence
// in Redis fresh (so pushes skip users who are connected), and on every heartbeat compares
// each stream with PostgreSQL so an event lost by pub/sub still arrives.
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
#include "poki/db/pool.hpp"
#include "poki/notify/event_stream.hpp"

namespace poki::notify {

class event_hub;

/// One of a user's event-stream places on this instance, held for as long as the stream
/// lives (events.max_streams_per_user).
class stream_slot {
  public:
    stream_slot(event_hub& hub, std::int64_t user_id) : hub_{&hub}, user_id_{user_id} {}
    ~stream_slot();
    stream_slot(stream_slot&& other) noexcept
        : hub_{std::exchange(other.hub_, nullptr)}, user_id_{other.user_id_} {}
    stream_slot& operator=(stream_slot&&) = delete;
    stream_slot(const stream_slot&) = delete;
    stream_slot& operator=(const stream_slot&) = delete;

  private:
    event_hub* hub_;
    std::int64_t user_id_;
};

class event_hub {
  public:
    event_hub(net::io_context& ioc, db::pool& database, cache::redis_client& redis,
              const redis_config& redis_cfg, const events_config& cfg);
    ~event_hub();
    event_hub(const event_hub&) = delete;
    event_hub& operator=(const event_hub&) = delete;

    /// Connects the subscriber and starts the heartbeat.
    void start();
    void stop();

    /// A place for one more stream of the user, or nullopt when they hold
    /// events.max_streams_per_user here already. Thread-safe.
    [[nodiscard]] std::optional<stream_slot> reserve_stream(std::int64_t user_id);

    /// A stream for `user_id` that starts after `resume_after` (Last-Event-ID), or at the
    /// newest event when nullopt; begins with a reset when that point is no longer held.
    awaitable<std::shared_ptr<event_stream>> open_stream(std::int64_t user_id,
                                                         std::optional<std::int64_t> resume_after);

    /// A stream of `user_id` opened here: subscribe to their channel if it is their first,
    /// and mark them online. Thread-safe.
    void attach(std::int64_t user_id, const std::shared_ptr<event_stream>& stream);
    /// The stream closed: unsubscribe and mark them offline if it was their last here.
    void detach(std::int64_t user_id, const event_stream* stream);
    /// Awaits Redis's confirmation of the user's subscription (bounded by a few seconds; a
    /// stream goes on without it and relies on its heartbeat check meanwhile).
    awaitable<bool> wait_subscribed(std::int64_t user_id);

    /// Whether any instance holds a live stream of the user.
    awaitable<bool> online(std::int64_t user_id);

    [[nodiscard]] std::size_t stream_count() const;
    /// The instance's id in presence records (random per process).
    [[nodiscard]] const std::string& instance_id() const noexcept { return instance_id_; }
    void render_metrics(std::string& out) const;

  private:
    friend class stream_slot;
    void release_stream(std::int64_t user_id);
    void on_message(std::string_view channel, std::string_view payload);
    awaitable<void> heartbeat_loop();
    awaitable<void> heartbeat_once();
    void mark_presence(std::int64_t user_id, bool present);

    net::io_context& ioc_;
    db::pool& database_;
    cache::redis_client& redis_;
    const events_config& config_;
    std::string instance_id_;
    mutable std::mutex mutex_;
    std::unordered_map<std::int64_t, std::vector<std::weak_ptr<event_stream>>> streams_;
    std::size_t stream_count_ = 0;                    // guarded by mutex_
    std::unordered_map<std::int64_t, int> reserved_;  // guarded by mutex_: slots per user
    cache::redis_subscriber subscriber_;
    stream_stats stats_;
    std::atomic<std::uint64_t> delivered_{0};
    std::atomic<std::uint64_t> heartbeats_{0};
};

}  // namespace poki::notify
