#include "poki/notify/event_hub.hpp"

#include <algorithm>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "poki/core/log.hpp"
#include "poki/core/metrics.hpp"
#include "poki/notify/event_repository.hpp"
#include "poki/notify/event_stream.hpp"
#include "poki/notify/sse_format.hpp"

namespace poki::notify {
namespace {

constexpr std::size_t heartbeat_chunk = 2000;

}  // namespace

event_hub::event_hub(net::io_context& ioc, db::pool& database, presence::presence_tracker& presence,
                     const redis_config& redis_cfg, const events_config& cfg)
    : ioc_{ioc}
    , database_{database}
    , presence_{presence}
    , config_{cfg}
    , stream_places_{cfg.max_streams_per_user}
    , subscriber_{ioc, redis_cfg, [this](std::string_view channel, std::string_view payload) {
                      on_message(channel, payload);
                  }} {}

event_hub::~event_hub() = default;

void event_hub::start() {
    subscriber_.start();
    net::co_spawn(ioc_, heartbeat_loop(), net::detached);
}

void event_hub::stop() {
    subscriber_.stop();
}

void event_hub::attach(std::int64_t user_id, const std::shared_ptr<event_stream>& stream) {
    bool first = false;
    {
        const std::lock_guard lock{mutex_};
        auto& list = streams_[user_id];
        first = list.empty();
        list.push_back(stream);
        ++stream_count_;
    }
    if (first) {
        subscriber_.subscribe(user_channel(user_id));
    }
}

void event_hub::detach(std::int64_t user_id, const event_stream* stream) {
    bool last = false;
    {
        const std::lock_guard lock{mutex_};
        const auto found = streams_.find(user_id);
        if (found == streams_.end()) {
            return;
        }
        auto& list = found->second;
        const auto before = list.size();
        std::erase_if(list, [stream](const std::weak_ptr<event_stream>& w) {
            const auto s = w.lock();
            return !s || s.get() == stream;
        });
        stream_count_ -= std::min(stream_count_, before - list.size());
        if (list.empty()) {
            streams_.erase(found);
            last = true;
        }
    }
    if (last) {
        subscriber_.unsubscribe(user_channel(user_id));
    }
}

awaitable<std::shared_ptr<event_stream>> event_hub::open_stream(
    std::int64_t user_id, std::optional<std::int64_t> resume_after) {
    auto read = [user_id](pqxx::connection& c) {
        pqxx::read_transaction tx{c};
        return event_repository::position(tx, user_id);
    };
    const auto position = co_await database_.run(std::move(read));
    event_stream::start_point start{position.last_seq, false};
    if (resume_after) {
        // Resuming from before what retention still holds, or from a number this user never
        // had (another database, a bug): the app must reload instead of replaying.
        if (*resume_after < position.pruned_through || *resume_after > position.last_seq) {
            start.reset = true;
        } else {
            start.after_seq = *resume_after;
        }
    }
    co_return std::make_shared<event_stream>(*this, database_, config_, stats_, user_id, start);
}

awaitable<bool> event_hub::wait_subscribed(std::int64_t user_id) {
    co_return co_await subscriber_.wait_subscribed(user_channel(user_id), std::chrono::seconds{3});
}

awaitable<bool> event_hub::online(std::int64_t user_id) {
    co_return co_await presence_.online(user_id);
}

std::vector<std::shared_ptr<event_stream>> event_hub::streams_of(std::int64_t user_id) const {
    std::vector<std::shared_ptr<event_stream>> live;
    const std::lock_guard lock{mutex_};
    if (const auto found = streams_.find(user_id); found != streams_.end()) {
        for (const auto& w : found->second) {
            if (auto s = w.lock()) {
                live.push_back(std::move(s));
            }
        }
    }
    return live;
}

void event_hub::end_streams(std::int64_t user_id) {
    for (const auto& s : streams_of(user_id)) {
        s->end();
    }
}

void event_hub::on_message(std::string_view channel, std::string_view payload) {
    const auto user_id = user_of_channel(channel);
    const auto event = decode_live_event(payload);
    if (!user_id || !event) {
        return;
    }
    const auto targets = streams_of(*user_id);
    if (targets.empty()) {
        return;
    }
    // Serialised once, shared by every stream of the user.
    const auto frame =
        std::make_shared<const std::string>(sse_event(event->seq, event->type, event->data));
    for (const auto& s : targets) {
        s->deliver(event->seq, frame);
    }
    delivered_.fetch_add(targets.size(), std::memory_order_relaxed);
}

awaitable<void> event_hub::heartbeat_loop() {
    net::steady_timer timer{co_await net::this_coro::executor};
    while (true) {
        timer.expires_after(std::chrono::seconds{config_.heartbeat_s});
        co_await timer.async_wait(net::use_awaitable);
        try {
            co_await heartbeat_once();
        } catch (const std::exception& e) {
            log::warn("event heartbeat failed", {{"error", e.what()}});
        }
    }
}

awaitable<void> event_hub::heartbeat_once() {
    std::vector<std::int64_t> users;
    {
        const std::lock_guard lock{mutex_};
        users.reserve(streams_.size());
        for (const auto& [user, list] : streams_) {
            users.push_back(user);
        }
    }
    heartbeats_.fetch_add(1, std::memory_order_relaxed);
    for (std::size_t from = 0; from < users.size(); from += heartbeat_chunk) {
        const auto chunk = std::span<const std::int64_t>{users}.subspan(
            from, std::min(heartbeat_chunk, users.size() - from));
        std::vector<std::int64_t> ids{chunk.begin(), chunk.end()};
        auto read = [ids = std::move(ids)](pqxx::connection& c) {
            pqxx::read_transaction tx{c};
            return event_repository::last_seqs(tx, ids);
        };
        auto latest = co_await database_.run(std::move(read));
        std::sort(latest.begin(), latest.end());
        for (const auto user : chunk) {
            const auto found = std::lower_bound(latest.begin(), latest.end(),
                                                std::pair<std::int64_t, std::int64_t>{user, 0});
            const std::int64_t seq =
                (found != latest.end() && found->first == user) ? found->second : 0;
            for (const auto& s : streams_of(user)) {
                s->heartbeat(seq);
            }
        }
    }
}

std::size_t event_hub::stream_count() const {
    const std::lock_guard lock{mutex_};
    return stream_count_;
}

void event_hub::render_metrics(std::string& out) const {
    append_metric_header(out, "poki_event_streams", "gauge", "Open event streams here.");
    append_metric(out, "poki_event_streams", "", static_cast<double>(stream_count()));
    append_metric_header(out, "poki_event_stream_users", "gauge",
                         "Users with an event stream here (Redis channels subscribed).");
    {
        const std::lock_guard lock{mutex_};
        append_metric(out, "poki_event_stream_users", "", static_cast<double>(streams_.size()));
    }
    append_metric_header(out, "poki_events_delivered_total", "counter",
                         "Live events handed to local streams.");
    append_metric(out, "poki_events_delivered_total", "", static_cast<double>(delivered_.load()));
    append_counter(out, "poki_event_streams_opened_total", "Event streams opened.", stats_.opened);
    append_counter(out, "poki_event_stream_events_sent_total", "Events queued to streams.",
                   stats_.events_sent);
    append_counter(out, "poki_event_stream_catch_ups_total",
                   "Reads from PostgreSQL by live streams (gaps, lost publishes).",
                   stats_.catch_ups);
    append_counter(out, "poki_event_stream_resets_total",
                   "Streams that began with a reset (resume point no longer held).", stats_.resets);
    append_counter(out, "poki_event_stream_cut_off_total",
                   "Streams cut off because the client stopped reading.", stats_.cut_off);
    append_metric_header(out, "poki_event_heartbeats_total", "counter",
                         "Heartbeat rounds (each checks every local stream against PostgreSQL).");
    append_metric(out, "poki_event_heartbeats_total", "", static_cast<double>(heartbeats_.load()));
}

}  // namespace poki::notify
