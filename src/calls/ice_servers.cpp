#include "poki/calls/ice_servers.hpp"

#include "poki/core/comma_list.hpp"
#include "poki/core/crypto.hpp"

namespace poki::calls {
namespace {

std::vector<std::string> urls_of(const std::string& list) {
    std::vector<std::string> urls;
    for (const auto url : comma_list(list)) {
        urls.emplace_back(url);
    }
    return urls;
}

}  // namespace

turn_credential turn_credential_for(std::string_view secret, std::int64_t user_id,
                                    std::chrono::sys_seconds expires_at) {
    turn_credential c;
    c.username =
        std::to_string(expires_at.time_since_epoch().count()) + ":" + std::to_string(user_id);
    c.password = crypto::base64_encode(crypto::hmac_sha1(secret, c.username));
    return c;
}

ice_servers ice_servers_for(const calls_config& cfg, std::int64_t user_id,
                            std::chrono::sys_seconds now) {
    ice_servers out;
    out.expires_at = now + std::chrono::seconds{cfg.turn_credential_ttl_s};
    out.transport_policy = cfg.ice_transport_policy;
    if (auto stun = urls_of(cfg.stun_urls); !stun.empty()) {
        out.servers.push_back(ice_server{std::move(stun), {}, {}});
    }
    if (auto turn = urls_of(cfg.turn_urls); !turn.empty()) {
        auto credential = turn_credential_for(cfg.turn_secret, user_id, out.expires_at);
        out.servers.push_back(ice_server{std::move(turn), std::move(credential.username),
                                         std::move(credential.password)});
    }
    return out;
}

}  // namespace poki::calls
