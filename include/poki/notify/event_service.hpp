// The one way features tell members about changes: events are recorded in the feature's
// own transaction, published to every instance after commit, listed and marked read by the
// apps, and deleted after events.retention_days.
#pragma once

#include <atomic>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "poki/cache/redis_client.hpp"
#include "poki/core/config.hpp"
#include "poki/core/principal.hpp"
#include "poki/db/pool.hpp"
#include "poki/notify/event.hpp"
#include "poki/notify/event_repository.hpp"

namespace poki::notify {

struct notification_page {
    std::vector<notification> items;          ///< newest first
    std::optional<std::int64_t> next_cursor;  ///< pass as `cursor` for older ones
};

class event_service {
  public:
    event_service(db::pool& database, cache::redis_client& redis, const events_config& events,
                  const push_config& push);

    /// Records the drafts in the caller's transaction (call it on the pool thread, inside
    /// the transaction of the change): numbers each recipient's events and queues pushes for
    /// the types push.event_types names. Pass the result to publish() after the commit.
    [[nodiscard]] std::vector<stored_event> record(pqxx::transaction_base& tx,
                                                   std::vector<event_draft> drafts) const;

    /// Tells every instance holding a stream of the recipients. Never throws: an event whose
    /// publish is lost still reaches streams through their PostgreSQL check.
    awaitable<void> publish(std::vector<stored_event> events);

    /// Runs after a publish that may have queued pushes (the push worker looks sooner).
    void on_push_queued(std::function<void()> fn) { push_queued_ = std::move(fn); }

    [[nodiscard]] bool pushes(std::string_view type) const;

    /// Newest first, before `cursor` (an event id) when given.
    awaitable<notification_page> list(principal who, std::optional<std::int64_t> cursor, int limit);
    /// Marks every event up to `up_to` read; returns the read mark (it never moves back).
    awaitable<std::int64_t> mark_read(principal who, std::int64_t up_to);
    awaitable<std::int64_t> unread_count(principal who);

    /// One retention pass if no instance ran one within events.prune_interval_s; returns
    /// how many events it deleted, or nullopt when another instance has the run.
    awaitable<std::optional<std::int64_t>> prune_expired();
    /// Runs prune_expired on a schedule until the io_context stops.
    awaitable<void> run_retention();

    void render_metrics(std::string& out) const;

  private:
    db::pool& database_;
    cache::redis_client& redis_;
    const events_config& config_;
    std::set<std::string, std::less<>> push_types_;
    std::function<void()> push_queued_;
    std::atomic<std::uint64_t> recorded_{0};
    std::atomic<std::uint64_t> published_{0};
    std::atomic<std::uint64_t> publish_failures_{0};
    std::atomic<std::uint64_t> pruned_{0};
};

}  // namespace poki::notify
