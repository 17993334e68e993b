#include "poki/notify/event_stream.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "poki/core/log.hpp"
#include "poki/notify/event_hub.hpp"
#include "poki/notify/event_repository.hpp"
#include "poki/notify/sse_format.hpp"

namespace poki::notify {
namespace {

constexpr int replay_batch = 200;

/// Detaches from the hub however run() ends, also when its frame is destroyed unresumed,
/// and makes sure nothing queued later touches the connection, which may be gone.
class attachment {
  public:
    attachment(event_hub& hub, std::int64_t user_id, const event_stream* stream,
               unique_function<void()> on_end)
        : hub_{hub}, user_id_{user_id}, stream_{stream}, on_end_{std::move(on_end)} {}
    ~attachment() {
        on_end_();
        hub_.detach(user_id_, stream_);
    }
    attachment(const attachment&) = delete;
    attachment& operator=(const attachment&) = delete;

  private:
    event_hub& hub_;
    std::int64_t user_id_;
    const event_stream* stream_;
    unique_function<void()> on_end_;
};

/// Clears a flag when the scope ends.
class flag_guard {
  public:
    explicit flag_guard(bool& flag) : flag_{flag} {}
    ~flag_guard() { flag_ = false; }
    flag_guard(const flag_guard&) = delete;
    flag_guard& operator=(const flag_guard&) = delete;

  private:
    bool& flag_;
};

}  // namespace

event_stream::event_stream(event_hub& hub, db::pool& database, const events_config& cfg,
                           stream_stats& stats, std::int64_t user_id, start_point start)
    : hub_{hub}
    , database_{database}
    , config_{cfg}
    , stats_{stats}
    , user_id_{user_id}
    , start_{start}
    , last_sent_{start.after_seq} {}

awaitable<void> event_stream::run(http::stream_channel& channel) {
    strand_ = channel.executor();
    wake_.emplace(strand_, net::steady_timer::time_point::max());
    channel_ = &channel;
    stats_.opened.fetch_add(1, std::memory_order_relaxed);
    channel.on_stop([self = shared_from_this()] { self->stop(); });

    // Subscribed before the first read from PostgreSQL: whatever commits after that read
    // is published after it, and so reaches this stream live.
    hub_.attach(user_id_, shared_from_this());
    const attachment guard{hub_, user_id_, this, [this] {
                               stopped_ = true;
                               channel_ = nullptr;
                           }};
    co_await hub_.wait_subscribed(user_id_);

    enqueue(std::make_shared<const std::string>(sse_retry(config_.retry_ms)));
    if (start_.reset) {
        stats_.resets.fetch_add(1, std::memory_order_relaxed);
        const nlohmann::json data{{"last_seq", start_.after_seq}};
        enqueue(
            std::make_shared<const std::string>(sse_event(start_.after_seq, "reset", data.dump())));
    }
    try {
        co_await catch_up(true);
    } catch (const std::exception& e) {
        log::warn("event stream replay failed", {{"user_id", user_id_}, {"error", e.what()}});
        co_return;
    }
    // The client now knows the stream is live and where it stands, even with no event.
    const nlohmann::json ready{{"last_seq", last_sent_}};
    enqueue(std::make_shared<const std::string>(sse_event(last_sent_, "ready", ready.dump())));
    live_ = true;

    while (!stopped_) {
        if (queue_.empty()) {
            wake_->expires_at(net::steady_timer::time_point::max());
            co_await wake_->async_wait(net::as_tuple(net::use_awaitable));
            continue;
        }
        if (!co_await flush()) {
            break;
        }
    }
}

awaitable<bool> event_stream::flush() {
    std::vector<std::shared_ptr<const std::string>> sending;
    sending.swap(queue_);
    queued_bytes_ = 0;
    std::vector<net::const_buffer> buffers;
    buffers.reserve(sending.size());
    for (const auto& frame : sending) {
        buffers.emplace_back(frame->data(), frame->size());
    }
    const bool ok = co_await channel_->write(buffers);
    if (!ok) {
        stopped_ = true;
    }
    co_return ok && !stopped_;
}

void event_stream::deliver(std::int64_t seq, std::shared_ptr<const std::string> frame) {
    net::post(strand_, [self = shared_from_this(), seq, frame = std::move(frame)]() mutable {
        self->on_live(seq, std::move(frame));
    });
}

void event_stream::end() {
    net::post(strand_, [self = shared_from_this()] { self->stop(); });
}

void event_stream::heartbeat(std::int64_t latest_seq) {
    net::post(strand_, [self = shared_from_this(), latest_seq] { self->on_heartbeat(latest_seq); });
}

void event_stream::on_live(std::int64_t seq, std::shared_ptr<const std::string> frame) {
    if (stopped_ || seq <= last_sent_) {
        return;  // already sent (replayed, or delivered twice)
    }
    if (!live_ || catching_up_) {
        again_ = true;  // the running read from PostgreSQL goes on until it has this one
        return;
    }
    if (seq == last_sent_ + 1) {
        last_sent_ = seq;
        stats_.events_sent.fetch_add(1, std::memory_order_relaxed);
        enqueue(std::move(frame));
        return;
    }
    // An earlier event has not arrived (published later, or lost): it is committed, since
    // this one's number was taken after it committed. Read them in order from PostgreSQL.
    spawn_catch_up();
}

void event_stream::on_heartbeat(std::int64_t latest_seq) {
    if (stopped_) {
        return;
    }
    enqueue(std::make_shared<const std::string>(sse_comment(std::to_string(latest_seq))));
    if (latest_seq > last_sent_) {
        if (live_ && !catching_up_) {
            spawn_catch_up();
        } else {
            again_ = true;
        }
    }
}

void event_stream::enqueue(std::shared_ptr<const std::string> frame) {
    if (stopped_) {
        return;
    }
    if (queued_bytes_ + frame->size() > static_cast<std::size_t>(config_.stream_queue_bytes)) {
        // The client stopped reading: cut it off rather than hold more for it. It resumes
        // from the last id it got.
        stats_.cut_off.fetch_add(1, std::memory_order_relaxed);
        log::info("event stream cut off: client too slow", {{"user_id", user_id_}});
        stop();
        if (channel_ != nullptr) {
            channel_->abort();
        }
        return;
    }
    queued_bytes_ += frame->size();
    queue_.push_back(std::move(frame));
    if (wake_) {
        wake_->cancel();
    }
}

void event_stream::stop() {
    stopped_ = true;
    if (wake_) {
        wake_->cancel();
    }
}

void event_stream::spawn_catch_up() {
    stats_.catch_ups.fetch_add(1, std::memory_order_relaxed);
    net::co_spawn(
        strand_,
        [self = shared_from_this()]() -> awaitable<void> {
            try {
                co_await self->catch_up(false);
            } catch (const std::exception& e) {
                // The next heartbeat tries again.
                log::warn("event stream catch-up failed",
                          {{"user_id", self->user_id_}, {"error", e.what()}});
            }
        },
        net::detached);
}

awaitable<void> event_stream::catch_up(bool flush_each_batch) {
    if (catching_up_) {
        again_ = true;
        co_return;
    }
    catching_up_ = true;
    const flag_guard running{catching_up_};
    do {
        again_ = false;
        while (!stopped_) {
            auto read = [user = user_id_, after = last_sent_](pqxx::connection& c) {
                pqxx::read_transaction tx{c};
                return event_repository::after(tx, user, after, replay_batch);
            };
            const auto batch = co_await database_.run(std::move(read));
            for (const auto& e : batch) {
                if (e.seq != last_sent_ + 1) {
                    // Numbers have no gaps; one missing means retention deleted it meanwhile.
                    log::warn("event stream found a gap",
                              {{"user_id", user_id_}, {"after", last_sent_}, {"next", e.seq}});
                }
                last_sent_ = e.seq;
                stats_.events_sent.fetch_add(1, std::memory_order_relaxed);
                enqueue(std::make_shared<const std::string>(sse_event(e.seq, e.type, e.data)));
            }
            if (flush_each_batch && !queue_.empty() && !co_await flush()) {
                co_return;
            }
            // A long backlog goes out as the client reads it, not all into the queue at once.
            while (!flush_each_batch && !stopped_ &&
                   queued_bytes_ > static_cast<std::size_t>(config_.stream_queue_bytes) / 2) {
                net::steady_timer pause{strand_, std::chrono::milliseconds{5}};
                co_await pause.async_wait(net::as_tuple(net::use_awaitable));
            }
            if (std::cmp_less(batch.size(), replay_batch)) {
                break;
            }
        }
    } while (again_ && !stopped_);
}

}  // namespace poki::notify
