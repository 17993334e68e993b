// SQL for events: numbering, recording (with the push outbox rows), replay, the
// notification list, read marks and retention.
#pragma once

#include <functional>
#include <span>
#include <vector>

#include <pqxx/pqxx>

#include "poki/db/pool.hpp"
#include "poki/db/read_pipeline.hpp"
#include "poki/notify/event.hpp"

namespace poki::notify {

/// One page of a user's notifications, newest first.
struct notification {
    stored_event event;
    bool unread = false;
};

class event_repository {
  public:
    static void declare_statements(db::pool& database);

    /// Numbers and stores many events in three statements whatever their count; pushes
    /// are queued for the drafts `wants_push` accepts. Counter rows are locked in ascending
    /// user id. The result follows the drafts' order.
    static std::vector<stored_event> record_all(
        pqxx::transaction_base& tx, std::span<const event_draft> drafts,
        const std::function<bool(const event_draft&)>& wants_push);

    /// Events after `after_seq`, oldest first, at most `limit`.
    static std::vector<stored_event> after(pqxx::transaction_base& tx, std::int64_t user_id,
                                           std::int64_t after_seq, int limit);
    static event_position position(pqxx::transaction_base& tx, std::int64_t user_id);
    /// The newest number of each listed user that has events; users without any are left out.
    static std::vector<std::pair<std::int64_t, std::int64_t>> last_seqs(
        pqxx::transaction_base& tx, std::span<const std::int64_t> user_ids);

    /// Events before `before_seq` (exclusive), newest first.
    static awaitable<std::vector<notification>> page(db::read_pipeline& reads, std::int64_t user_id,
                                                     std::int64_t before_seq, int limit);
    /// Moves the read mark forward to `up_to` (never past the newest event, never back).
    /// Returns the read mark after the update.
    static std::int64_t mark_read(pqxx::transaction_base& tx, std::int64_t user_id,
                                  std::int64_t up_to);
    static std::int64_t unread_count(pqxx::transaction_base& tx, std::int64_t user_id);

    /// Deletes up to `batch` events older than `max_age_seconds` and records how far each
    /// user's history was cut. Returns how many it deleted.
    static std::int64_t prune(pqxx::transaction_base& tx, std::int64_t max_age_seconds, int batch);
};

}  // namespace poki::notify
