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
#include "poki/core/paging.hpp"
#include "poki/core/periodic.hpp"
#include "poki/core/principal.hpp"
#include "poki/db/pool.hpp"
#include "poki/db/read_pipeline.hpp"
#include "poki/db/request_keys.hpp"
#include "poki/notify/event.hpp"
#include "poki/notify/event_repository.hpp"

namespace poki::notify {

using notification_page = page<notification>;  ///< newest first

class event_service;

/// The events one change records inside its transaction; event_service::write publishes them
/// once the transaction has committed.
class event_log {
  public:
    event_log(const event_service& events, pqxx::transaction_base& tx) : events_{events}, tx_{tx} {}
    void record(std::vector<event_draft> drafts);
    void record(event_draft draft);
    [[nodiscard]] std::vector<stored_event> take() { return std::move(recorded_); }

  private:
    const event_service& events_;
    pqxx::transaction_base& tx_;
    std::vector<stored_event> recorded_;
};

template <class Change>
using change_result = std::invoke_result_t<Change&, pqxx::work&, event_log&>;

class event_service {
  public:
    event_service(db::pool& database, db::read_pipeline& reads, cache::redis_client& redis,
                  const events_config& events, const push_config& push);

    /// Records the drafts in the caller's transaction (call it on the pool thread, inside
    /// the transaction of the change): numbers each recipient's events and queues pushes for
    /// the types push.event_types names. Pass the result to publish() after the commit.
    [[nodiscard]] std::vector<stored_event> record(pqxx::transaction_base& tx,
                                                   std::vector<event_draft> drafts) const;

    /// Tells every instance holding a stream of the recipients. Never throws: an event whose
    /// publish is lost still reaches streams through their PostgreSQL check.
    awaitable<void> publish(std::vector<stored_event> events);

    /// The one shape of a write: runs change(tx, log) in one transaction on the pool, commits,
    /// then publishes what it recorded. An exception rolls everything back and publishes
    /// nothing. A transaction PostgreSQL chose as a deadlock's victim (or failed to serialize)
    /// runs again, up to three times in all, and so may the pool's after a broken
    /// connection: `change` must not consume what it captured.
    template <class Change>
    awaitable<change_result<Change>> write(Change change);

    /// write() for a creating request: with a key, the first request's answer(result) (JSON,
    /// or a keyed_answer to say it found the thing existing) is
    /// stored in the same transaction, and a repeat gets that answer without a second change
    /// (a concurrent repeat waits for the first to commit). A key reused for a different
    /// request is refused (422).
    template <class Change, class Answer>
    awaitable<keyed_answer> write_once(std::optional<request_key> key, Change change,
                                       Answer answer);

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
    awaitable<void> run_retention(job_monitor& jobs);

    void render_metrics(std::string& out) const;

  private:
    db::pool& database_;
    db::read_pipeline& reads_;
    cache::redis_client& redis_;
    const events_config& config_;
    std::set<std::string, std::less<>> push_types_;
    std::function<void()> push_queued_;
    std::atomic<std::uint64_t> recorded_{0};
    std::atomic<std::uint64_t> published_{0};
    std::atomic<std::uint64_t> publish_failures_{0};
    std::atomic<std::uint64_t> pruned_{0};
    std::atomic<std::uint64_t> rolled_back_{0};
};

template <class Change>
awaitable<change_result<Change>> event_service::write(Change change) {
    using result = change_result<Change>;
    struct committed {
        std::optional<db::detail::value_of<result>> value;
        std::vector<stored_event> events;
    };
    auto job = [this, change = std::move(change)](pqxx::connection& c) mutable {
        constexpr int attempts = 3;
        for (int attempt = 1;; ++attempt) {
            try {
                pqxx::work tx{c};
                event_log log{*this, tx};
                committed out;
                if constexpr (std::is_void_v<result>) {
                    change(tx, log);
                } else {
                    out.value.emplace(change(tx, log));
                }
                out.events = log.take();
                tx.commit();
                return out;
            } catch (const pqxx::deadlock_detected&) {
                if (attempt == attempts) {
                    throw;
                }
            } catch (const pqxx::serialization_failure&) {
                if (attempt == attempts) {
                    throw;
                }
            }
            rolled_back_.fetch_add(1, std::memory_order_relaxed);
        }
    };
    auto done = co_await database_.run(std::move(job));
    co_await publish(std::move(done.events));
    if constexpr (!std::is_void_v<result>) {
        co_return std::move(*done.value);
    }
}

template <class Change, class Answer>
awaitable<keyed_answer> event_service::write_once(std::optional<request_key> key, Change change,
                                                  Answer answer) {
    auto keyed = [key = std::move(key), change = std::move(change), answer = std::move(answer)](
                     pqxx::work& tx, event_log& log) mutable {
        if (key) {
            if (auto earlier = db::claim_request_key(tx, *key)) {
                return std::move(*earlier);
            }
        }
        keyed_answer out{answer(change(tx, log))};
        if (key) {
            db::store_answer(tx, *key, out);
        }
        return out;
    };
    co_return co_await write(std::move(keyed));
}

}  // namespace poki::notify
