// Calls between members of one family: invitations, answers, hang-ups, the ring deadline, a
// party whose connection dropped, and the signals WebRTC needs, relayed only between the
// parties. PostgreSQL holds each call's state (one row lock per change, so the first answer
// wins and two members calling each other end up in one call); Redis relays signals and
// carries every announcement to the parties' connections on whichever instance holds them.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

#include <nlohmann/json.hpp>

#include "poki/calls/call_machine.hpp"
#include "poki/calls/call_relay.hpp"
#include "poki/chat/message_writer.hpp"
#include "poki/core/config.hpp"
#include "poki/core/paging.hpp"
#include "poki/core/periodic.hpp"
#include "poki/core/principal.hpp"
#include "poki/db/pool.hpp"
#include "poki/notify/event_service.hpp"
#include "poki/presence/presence_tracker.hpp"
#include "poki/realtime/socket_hub.hpp"

namespace poki::calls {

/// Who sent a command, from which connection.
struct sender {
    principal who;
    device at;
    std::string message_id;  ///< the message's `id`, echoed as `in_reply_to`
};

/// A signal for another party: an SDP description or an ICE candidate, as the browser made it.
struct signal_message {
    std::string call_id;
    std::int64_t to = 0;
    std::string kind;  ///< "sdp" or "candidate"
    nlohmann::json payload;
};

using call_page = page<call_record>;

class call_service {
  public:
    call_service(net::io_context& ioc, db::pool& database, cache::redis_client& redis,
                 realtime::socket_hub& sockets, notify::event_service& events,
                 chat::message_writer& chat, presence::presence_tracker& presence,
                 const calls_config& cfg);

    /// Starts the sweep: ring deadlines, and parties whose connection did not come back.
    void start(job_monitor& jobs);

    /// Rings `to` (one to three members of the caller's family). A member calling someone who
    /// is calling them at this moment answers that call instead.
    awaitable<void> invite(sender from, std::vector<std::int64_t> to, call_media media);
    awaitable<void> accept(sender from, std::string call_id);
    awaitable<void> reject(sender from, std::string call_id);
    awaitable<void> cancel(sender from, std::string call_id);
    awaitable<void> end(sender from, std::string call_id, end_reason why);
    /// Back in a call on a new connection after the old one dropped.
    awaitable<void> rejoin(sender from, std::string call_id);
    awaitable<void> signal(sender from, signal_message message);

    /// The connection closed: the calls it was in wait calls.reconnect_grace_s for it.
    awaitable<void> connection_closed(device gone);

    /// The family's calls, newest first.
    awaitable<call_page> list(principal who, std::optional<std::int64_t> cursor, int limit);

    /// One sweep now (the periodic job; tests).
    awaitable<void> sweep_once();

    void render_metrics(std::string& out) const;

  private:
    struct outcome {
        call_record call;
        call_events events;
        std::vector<notify::stored_event> recorded;
        std::optional<sender> invited_by;            ///< set for a new call
        std::optional<std::int64_t> missed_in_room;  ///< the family room, when someone missed it
    };

    template <class Change>
    awaitable<void> change(std::string call_id, std::optional<std::int64_t> family_id, Change fn);
    /// change() for the sweep: a failure is logged, and the next sweep tries again.
    template <class Change>
    awaitable<void> change_quietly(std::string call_id, Change fn);
    [[nodiscard]] std::optional<outcome> apply(pqxx::work& tx, call_record& call,
                                               call_events events) const;
    awaitable<void> announce(outcome done);
    awaitable<void> announce_new_call(const outcome& done);
    awaitable<void> send_to_parties(const call_record& call, std::string text);
    awaitable<void> note_in_chat(const call_record& call, std::int64_t room_id);
    [[nodiscard]] std::string ice_servers_text(std::int64_t user_id) const;
    /// A connection here took part in a call: its close is worth looking up.
    void remember(const std::string& connection_id);

    net::io_context& ioc_;
    db::pool& database_;
    realtime::socket_hub& sockets_;
    notify::event_service& events_;
    chat::message_writer& chat_;
    presence::presence_tracker& presence_;
    const calls_config& config_;
    call_relay relay_;
    std::mutex mutex_;
    std::unordered_set<std::string> in_calls_here_;  // guarded by mutex_
    std::atomic<std::uint64_t> started_{0};
    std::atomic<std::uint64_t> answered_{0};
    std::atomic<std::uint64_t> missed_{0};
    std::atomic<std::uint64_t> relayed_{0};
    std::atomic<std::uint64_t> held_{0};
    std::atomic<std::uint64_t> refused_signals_{0};
};

}  // namespace poki::calls
