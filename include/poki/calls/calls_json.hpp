// Calls as the API writes them.
#pragma once

#include <nlohmann/json.hpp>

#include "poki/calls/calls_types.hpp"

namespace poki::calls {

/// {"ice_servers": [RTCIceServer …], "expires_at": RFC 3339, "expires_in": seconds}: what
/// RTCPeerConnection takes as `iceServers`, and when to ask again.
[[nodiscard]] nlohmann::json ice_servers_json(const ice_servers& s, std::chrono::sys_seconds now);

}  // namespace poki::calls
