#include "poki/notify/event_service.hpp"

#include <algorithm>

#include "poki/core/log.hpp"
#include "poki/core/metrics.hpp"
#include "poki/core/periodic.hpp"
#include "poki/db/claimed_batches.hpp"
#include "poki/notify/sse_format.hpp"

namespace poki::notify {
namespace {

std::set<std::string, std::less<>> split_types(std::string_view list) {
    std::set<std::string, std::less<>> out;
    while (!list.empty()) {
        const auto comma = list.find(',');
        auto item = list.substr(0, comma);
        while (!item.empty() && item.front() == ' ') {
            item.remove_prefix(1);
        }
        while (!item.empty() && item.back() == ' ') {
            item.remove_suffix(1);
        }
        if (!item.empty()) {
            out.emplace(item);
        }
        if (comma == std::string_view::npos) {
            break;
        }
        list.remove_prefix(comma + 1);
    }
    return out;
}

}  // namespace

event_service::event_service(db::pool& database, db::read_pipeline& reads,
                             cache::redis_client& redis, const events_config& events,
                             const push_config& push)
    : database_{database}
    , reads_{reads}
    , redis_{redis}
    , config_{events}
    , push_types_{split_types(push.event_types)} {
    event_repository::declare_statements(database_);
    db::declare_request_key_statements(database_);  // write_once
}

void event_log::record(std::vector<event_draft> drafts) {
    auto stored = events_.record(tx_, std::move(drafts));
    recorded_.insert(recorded_.end(), std::make_move_iterator(stored.begin()),
                     std::make_move_iterator(stored.end()));
}

void event_log::record(event_draft draft) {
    std::vector<event_draft> one;
    one.push_back(std::move(draft));
    record(std::move(one));
}

bool event_service::pushes(std::string_view type) const {
    return push_types_.contains(type);
}

std::vector<stored_event> event_service::record(pqxx::transaction_base& tx,
                                                std::vector<event_draft> drafts) const {
    // Counter rows are locked in one order by every transaction, so two never deadlock.
    std::stable_sort(drafts.begin(), drafts.end(), [](const event_draft& a, const event_draft& b) {
        return a.user_id < b.user_id;
    });
    return event_repository::record_all(tx, drafts,
                                        [this](const event_draft& d) { return pushes(d.type); });
}

awaitable<void> event_service::publish(std::vector<stored_event> events) {
    if (events.empty()) {
        co_return;
    }
    recorded_.fetch_add(events.size(), std::memory_order_relaxed);
    const bool may_push = std::any_of(events.begin(), events.end(),
                                      [this](const stored_event& e) { return pushes(e.type); });
    if (config_.publish) {
        std::vector<cache::redis_command> commands;
        commands.reserve(events.size());
        for (const auto& e : events) {
            commands.push_back({"PUBLISH", user_channel(e.user_id), encode_live_event(e)});
        }
        try {
            co_await redis_.pipeline(std::move(commands));
            published_.fetch_add(events.size(), std::memory_order_relaxed);
        } catch (const std::exception& e) {
            // The event is committed; live streams pick it up at their next check.
            publish_failures_.fetch_add(events.size(), std::memory_order_relaxed);
            log::warn("event publish failed; streams will catch up from the database",
                      {{"events", events.size()}, {"error", e.what()}});
        }
    }
    if (may_push && push_queued_) {
        push_queued_();
    }
}

awaitable<notification_page> event_service::list(principal who, std::optional<std::int64_t> cursor,
                                                 int limit) {
    const auto before = cursor.value_or(std::numeric_limits<std::int64_t>::max());
    auto rows = co_await event_repository::page(reads_, who.user_id, before, rows_for_page(limit));
    co_return page_of(std::move(rows), limit, [](const notification& n) { return n.event.seq; });
}

awaitable<std::int64_t> event_service::mark_read(principal who, std::int64_t up_to) {
    auto mark = [who, up_to](pqxx::work& tx) {
        return event_repository::mark_read(tx, who.user_id, up_to);
    };
    co_return co_await database_.transaction(std::move(mark));
}

awaitable<std::int64_t> event_service::unread_count(principal who) {
    auto count = [who](pqxx::connection& c) {
        pqxx::nontransaction tx{c};  // a plain read: no BEGIN or COMMIT round trip
        return event_repository::unread_count(tx, who.user_id);
    };
    co_return co_await database_.run(std::move(count));
}

awaitable<std::optional<std::int64_t>> event_service::prune_expired() {
    const std::int64_t max_age_s = std::int64_t{config_.retention_days} * 24 * 3600;
    db::batch_step step = [max_age_s](pqxx::work& tx, std::int64_t batch) {
        return event_repository::prune(tx, max_age_s, static_cast<int>(batch));
    };
    const auto done = co_await db::run_claimed_batches(
        database_, "events.retention", config_.prune_interval_s, 5000, std::move(step));
    if (!done) {
        co_return std::nullopt;
    }
    const auto total = *done;
    pruned_.fetch_add(static_cast<std::uint64_t>(total), std::memory_order_relaxed);
    if (total > 0) {
        log::info("expired events deleted", {{"deleted", total}});
    }
    co_return total;
}

awaitable<void> event_service::run_retention(job_monitor& jobs) {
    // The closure lives in run_periodically's frame for as long as the job can run.
    std::function<awaitable<void>()> job = [this]() -> awaitable<void> {
        co_await prune_expired();
    };
    co_await run_periodically("event retention", std::chrono::seconds{config_.prune_interval_s},
                              std::move(job), jobs);
}

void event_service::render_metrics(std::string& out) const {
    append_counter(out, "poki_events_recorded_total", "Events committed (one per recipient).",
                   static_cast<double>(recorded_.load()));
    append_counter(
        out, "poki_write_retries_total",
        "Writes run again after PostgreSQL rolled them back for a deadlock or serialization.",
        static_cast<double>(rolled_back_.load()));
    append_counter(out, "poki_events_published_total", "Events published to Redis after commit.",
                   static_cast<double>(published_.load()));
    append_counter(out, "poki_events_publish_failures_total",
                   "Events whose publish failed (streams catch up from the database).",
                   static_cast<double>(publish_failures_.load()));
    append_counter(out, "poki_events_pruned_total", "Events deleted by retention.",
                   static_cast<double>(pruned_.load()));
}

}  // namespace poki::notify
