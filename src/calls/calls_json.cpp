#include "poki/calls/calls_json.hpp"

#include "poki/core/timestamp.hpp"

namespace poki::calls {

nlohmann::json ice_servers_json(const ice_servers& s, std::chrono::sys_seconds now) {
    auto servers = nlohmann::json::array();
    for (const auto& server : s.servers) {
        nlohmann::json one{{"urls", server.urls}};
        if (!server.username.empty()) {
            one["username"] = server.username;
            one["credential"] = server.credential;
        }
        servers.push_back(std::move(one));
    }
    return {{"ice_servers", std::move(servers)},
            {"expires_at", format_rfc3339(s.expires_at)},
            {"expires_in", (s.expires_at - now).count()}};
}

}  // namespace poki::calls
