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
            {"ice_transport_policy", s.transport_policy},
            {"expires_at", format_rfc3339(s.expires_at)},
            {"expires_in", (s.expires_at - now).count()}};
}

nlohmann::json call_json(const call_record& call) {
    auto parties = nlohmann::json::array();
    for (const auto& p : call.parties) {
        parties.push_back({{"user_id", p.user_id}, {"state", to_string(p.state)}});
    }
    nlohmann::json out{{"id", call.id},
                       {"caller_id", call.caller_id},
                       {"media", to_string(call.media)},
                       {"state", to_string(call.state)},
                       {"created_at", call.created_at},
                       {"parties", std::move(parties)}};
    if (call.reason) {
        out["reason"] = to_string(*call.reason);
    }
    if (call.answered_at) {
        out["answered_at"] = *call.answered_at;
    }
    if (call.ended_at) {
        out["ended_at"] = *call.ended_at;
    }
    return out;
}

nlohmann::json call_message(std::string_view type, const call_record& call) {
    return {{"type", type}, {"call_id", call.id}, {"call", call_json(call)}};
}

}  // namespace poki::calls
