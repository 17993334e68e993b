// Sends commit in groups: while one transaction is committing, the sends that arrive queue
// up and go together in the next one. Each send is still acknowledged only after its own
// commit (synchronous_commit stays on); the group shares the fsync, which is what limits
// a single-row-per-transaction design on a small machine.
#pragma once

#include <atomic>
#include <exception>
#include <mutex>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "poki/chat/chat_types.hpp"
#include "poki/core/config.hpp"
#include "poki/core/error.hpp"
#include "poki/core/principal.hpp"
#include "poki/core/unique_function.hpp"
#include "poki/db/pool.hpp"
#include "poki/notify/event_service.hpp"

namespace poki::chat {

struct send_request {
    principal author;
    std::int64_t room_id = 0;
    std::string client_id;  ///< a UUID the app chose
    std::string text;       ///< checked and trimmed
};

struct send_outcome {
    message stored;
    bool created = false;  ///< false: a retry found the message stored before
    /// Set instead when the room is not the author's to write in (checked in the group's
    /// own transaction, so a send costs one trip to the database).
    std::optional<error> refused;
};

class message_writer {
  public:
    message_writer(net::io_context& ioc, db::pool& database, notify::event_service& events,
                   const chat_config& cfg);

    /// Completes once the message (or the one this client_id stored before) is committed
    /// and its chat.message events are published. Throws what the commit threw.
    awaitable<send_outcome> send(send_request request);

    void render_metrics(std::string& out) const;

  private:
    using completion = unique_function<void(std::exception_ptr, send_outcome)>;
    struct pending {
        send_request request;
        completion done;
    };

    void enqueue(pending p);
    /// Called with mutex_ held and writing_ set: takes the next group off the queue.
    void start_next_locked();
    awaitable<void> write_group(std::vector<pending> group);

    net::io_context& ioc_;
    db::pool& database_;
    notify::event_service& events_;
    const chat_config& config_;
    std::mutex mutex_;
    std::vector<pending> queue_;  // guarded by mutex_
    bool writing_ = false;        // guarded by mutex_
    std::atomic<std::uint64_t> groups_{0};
    std::atomic<std::uint64_t> messages_{0};
    std::atomic<std::uint64_t> largest_group_{0};
    std::atomic<std::uint64_t> split_groups_{0};
};

}  // namespace poki::chat
