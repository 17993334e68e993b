#include "poki/calls/call_messages.hpp"

#include <limits>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>

#include "poki/core/json_reader.hpp"
#include "poki/core/uuid.hpp"
#include "poki/realtime/realtime_json.hpp"

namespace poki::calls {
namespace {

constexpr std::size_t max_sdp_chars = std::size_t{32} * 1024;
constexpr std::size_t max_candidate_chars = 1024;

sender sender_of(const realtime::socket_client& client, const nlohmann::json& message) {
    auto id = realtime::message_id(message);
    const auto& connection = client.connection_id();
    return {client.who(), {connection, connection.substr(0, connection.find('/'))}, std::move(id)};
}

std::string call_id_of(json_reader& in) {
    const auto raw = in.required_string("call_id", {.min_chars = 1, .max_chars = 64});
    auto id = normalize_uuid(raw);
    if (!raw.empty() && !id) {
        in.add_error("call_id", "not_uuid", "Must be a call's id (a UUID).");
    }
    return id.value_or("");
}

std::vector<std::int64_t> callees_of(const nlohmann::json& message, json_reader& in) {
    std::vector<std::int64_t> to;
    const auto found = message.find("to");
    if (found != message.end() && found->is_number_integer()) {
        to.push_back(found->get<std::int64_t>());
    } else if (found != message.end() && found->is_array() && found->size() < max_call_parties) {
        for (const auto& id : *found) {
            if (!id.is_number_integer()) {
                to.clear();
                break;
            }
            to.push_back(id.get<std::int64_t>());
        }
    }
    if (to.empty()) {
        in.add_error("to", "invalid", "A member's id, or a list of one to three of them.");
    }
    return to;
}

/// An RTCSessionDescription ({type, sdp}) or an RTCIceCandidate ({candidate, sdpMid,
/// sdpMLineIndex, usernameFragment}; null ends the candidates), checked for shape and size.
nlohmann::json signal_payload(const nlohmann::json& message, json_reader& in, std::string& kind) {
    const auto sdp = message.find("sdp");
    const auto candidate = message.find("candidate");
    if ((sdp == message.end()) == (candidate == message.end())) {
        in.add_error("sdp", "invalid", R"(A signal carries either "sdp" or "candidate".)");
        return {};
    }
    if (sdp != message.end()) {
        kind = "sdp";
        json_reader description{*sdp};
        (void)description.required_enum("type", {"offer", "answer", "pranswer", "rollback"});
        (void)description.optional_string("sdp", {.max_chars = max_sdp_chars, .trim = false});
        description.reject_unknown({"type", "sdp"});
        if (!description.ok()) {
            in.add_error("sdp", "invalid", "Must be an RTCSessionDescription.");
        }
        return *sdp;
    }
    kind = "candidate";
    if (candidate->is_null()) {
        return nullptr;
    }
    json_reader c{*candidate};
    (void)c.required_string("candidate", {.max_chars = max_candidate_chars, .trim = false});
    (void)c.optional_string("sdpMid", {.max_chars = 64});
    (void)c.optional_integer("sdpMLineIndex", 0, 64);
    (void)c.optional_string("usernameFragment", {.max_chars = 256});
    c.reject_unknown({"candidate", "sdpMid", "sdpMLineIndex", "usernameFragment"});
    if (!c.ok()) {
        in.add_error("candidate", "invalid", "Must be an RTCIceCandidate.");
    }
    return *candidate;
}

using call_command = awaitable<void> (call_service::*)(sender, std::string);

/// The messages that name only a call.
void add_call_command(realtime::socket_hub& sockets, call_service& calls, std::string type,
                      call_command command) {
    sockets.handle(std::move(type),
                   [&calls, command](realtime::socket_client& from,
                                     const nlohmann::json& message) -> awaitable<void> {
                       json_reader in{message};
                       auto call_id = call_id_of(in);
                       in.reject_unknown({"type", "id", "call_id"});
                       in.finish();
                       co_await (calls.*command)(sender_of(from, message), std::move(call_id));
                   });
}

}  // namespace

void add_call_messages(realtime::socket_hub& sockets, call_service& calls) {
    sockets.handle(
        "call.invite",
        [&calls](realtime::socket_client& from, const nlohmann::json& message) -> awaitable<void> {
            json_reader in{message};
            auto to = callees_of(message, in);
            const auto media = in.required_enum("media", {"audio", "video"});
            in.reject_unknown({"type", "id", "to", "media"});
            in.finish();
            co_await calls.invite(sender_of(from, message), std::move(to),
                                  parse_media(media).value_or(call_media::video));
        });
    add_call_command(sockets, calls, "call.accept", &call_service::accept);
    add_call_command(sockets, calls, "call.reject", &call_service::reject);
    add_call_command(sockets, calls, "call.cancel", &call_service::cancel);
    add_call_command(sockets, calls, "call.rejoin", &call_service::rejoin);
    sockets.handle(
        "call.end",
        [&calls](realtime::socket_client& from, const nlohmann::json& message) -> awaitable<void> {
            json_reader in{message};
            auto call_id = call_id_of(in);
            std::optional<end_reason> why = end_reason::hang_up;
            if (message.contains("reason")) {
                why = parse_end_reason(in.required_enum("reason", {"hang_up", "failed_media"}));
            }
            in.reject_unknown({"type", "id", "call_id", "reason"});
            in.finish();
            co_await calls.end(sender_of(from, message), std::move(call_id),
                               why.value_or(end_reason::hang_up));
        });
    sockets.handle(
        "signal",
        [&calls](realtime::socket_client& from, const nlohmann::json& message) -> awaitable<void> {
            json_reader in{message};
            signal_message signal;
            signal.call_id = call_id_of(in);
            signal.to = in.required_integer("to", 1, std::numeric_limits<std::int64_t>::max());
            signal.payload = signal_payload(message, in, signal.kind);
            in.reject_unknown({"type", "id", "call_id", "to", "sdp", "candidate"});
            in.finish();
            co_await calls.signal(sender_of(from, message), std::move(signal));
        });
    sockets.on_disconnect([&calls](const realtime::socket_client& gone) {
        // Spawned: the closing connection's coroutine does not wait for the database.
        net::co_spawn(gone.executor(), calls.connection_closed({gone.connection_id(), {}}),
                      net::detached);
    });
}

}  // namespace poki::calls
