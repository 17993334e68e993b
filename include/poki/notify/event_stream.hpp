// One client's server-sent event stream: replays what it missed from PostgreSQL, then
// sends live events in order with no gap and no duplicate. Each event has a number one
// above the last one sent; anything else (a gap, a lost publish, a heartbeat showing a
// newer number) makes the stream read the missing events from PostgreSQL. Unsent bytes are
// bounded: a client that stops reading is cut off and resumes by id.
#pragma once

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/steady_timer.hpp>

#include "poki/core/config.hpp"
#include "poki/db/pool.hpp"
#include "poki/http/streaming.hpp"
#include "poki/notify/event.hpp"

namespace poki::notify {

class event_hub;

/// Counters shared by every stream, for /metrics.
struct stream_stats {
    std::atomic<std::uint64_t> opened{0};
    std::atomic<std::uint64_t> events_sent{0};
    std::atomic<std::uint64_t> catch_ups{0};  ///< reads from PostgreSQL after going live
    std::atomic<std::uint64_t> resets{0};
    std::atomic<std::uint64_t> cut_off{0};  ///< slow clients disconnected
};

class event_stream : public std::enable_shared_from_this<event_stream> {
  public:
    /// `start` is where the stream begins: events after start.after_seq are replayed, and
    /// a reset event comes first when the client's position is no longer held.
    struct start_point {
        std::int64_t after_seq = 0;
        bool reset = false;
    };

    event_stream(event_hub& hub, db::pool& database, const events_config& cfg, stream_stats& stats,
                 std::int64_t user_id, start_point start);

    /// Serves the stream until the client leaves, is cut off, or the server stops.
    awaitable<void> run(http::stream_channel& channel);

    /// A live event (from any thread): the frame is shared by every stream of the user.
    void deliver(std::int64_t seq, std::shared_ptr<const std::string> frame);
    /// The user's newest event number, from the hub's periodic check (any thread).
    void heartbeat(std::int64_t latest_seq);
    /// Ends the stream (any thread): the user signed out everywhere or was removed.
    void end();

  private:
    void on_live(std::int64_t seq, std::shared_ptr<const std::string> frame);
    void on_heartbeat(std::int64_t latest_seq);
    void enqueue(std::shared_ptr<const std::string> frame);
    void stop();
    /// Reads events after last_sent_ from PostgreSQL until none is left; one at a time.
    awaitable<void> catch_up(bool flush_each_batch);
    void spawn_catch_up();
    awaitable<bool> flush();

    event_hub& hub_;
    db::pool& database_;
    const events_config& config_;
    stream_stats& stats_;
    const std::int64_t user_id_;
    const start_point start_;

    // Strand only, from run() on.
    net::any_io_executor strand_;
    std::optional<net::steady_timer> wake_;
    http::stream_channel* channel_ = nullptr;
    std::vector<std::shared_ptr<const std::string>> queue_;
    std::size_t queued_bytes_ = 0;
    std::int64_t last_sent_ = 0;
    bool live_ = false;         // the first replay is done
    bool catching_up_ = false;  // a read from PostgreSQL is running
    bool again_ = false;        // something newer arrived while it ran
    bool stopped_ = false;
};

}  // namespace poki::notify
