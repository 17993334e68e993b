// Calls as the API writes them.
#pragma once

#include <nlohmann/json.hpp>

#include "poki/calls/call_types.hpp"
#include "poki/calls/calls_types.hpp"

namespace poki::calls {

/// {"ice_servers": [RTCIceServer …], "expires_at": RFC 3339, "expires_in": seconds}: what
/// RTCPeerConnection takes as `iceServers`, and when to ask again.
[[nodiscard]] nlohmann::json ice_servers_json(const ice_servers& s, std::chrono::sys_seconds now);

/// A call as lists and messages show it: {id, caller_id, media, state, reason?, created_at,
/// answered_at?, ended_at?, duration_s?, parties: [{user_id, state}]}.
[[nodiscard]] nlohmann::json call_json(const call_record& call);

/// A message about a call for the parties' connections: {"type": type, "call_id", …fields}.
[[nodiscard]] nlohmann::json call_message(std::string_view type, const call_record& call);

}  // namespace poki::calls
