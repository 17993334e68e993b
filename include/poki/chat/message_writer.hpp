// Sends commit in groups (db::group_commit): while one transaction is committing, the sends
// that arrive queue up and go together in the next one, written set by set (one statement
// for the group's rooms, ids, rows and events). Each send is still acknowledged only after
// its own commit.
#pragma once

#include <vector>

#include <boost/asio/io_context.hpp>

#include "poki/chat/chat_types.hpp"
#include "poki/core/config.hpp"
#include "poki/core/error.hpp"
#include "poki/core/principal.hpp"
#include "poki/db/group_commit.hpp"
#include "poki/db/pool.hpp"
#include "poki/notify/event_service.hpp"

namespace poki::chat {

struct send_request {
    principal author;
    std::int64_t room_id = 0;
    std::string client_id;                   ///< a UUID the app chose
    std::string text;                        ///< checked and trimmed
    message_kind kind = message_kind::text;  ///< a missed call is not pushed as a message
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
    awaitable<std::vector<send_outcome>> commit(std::vector<send_request> group);

    db::pool& database_;
    notify::event_service& events_;
    db::group_commit<send_request, send_outcome> groups_;
};

}  // namespace poki::chat
