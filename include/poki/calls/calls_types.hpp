// What a caller needs to reach the other side: STUN and TURN servers, as WebRTC's
// RTCIceServer has them.
#pragma once

#include <chrono>
#include <string>
#include <vector>

namespace poki::calls {

struct ice_server {
    std::vector<std::string> urls;
    std::string username;    ///< TURN only
    std::string credential;  ///< TURN only
};

struct ice_servers {
    std::vector<ice_server> servers;
    std::chrono::sys_seconds expires_at;   ///< ask again before then (TURN credentials end)
    std::string transport_policy = "all";  ///< RTCConfiguration.iceTransportPolicy
};

}  // namespace poki::calls
