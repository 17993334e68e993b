// Short-lived TURN credentials in coturn's shared-secret scheme (its `use-auth-secret`, the
// "REST API" draft): username "<expiry unix time>:<user id>", password
// base64(HMAC-SHA1(secret, username)). The TURN server checks them with the same secret and
// the time alone, so nothing is stored and any instance can issue them.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "poki/calls/calls_types.hpp"
#include "poki/core/config.hpp"

namespace poki::calls {

struct turn_credential {
    std::string username;
    std::string password;
};

[[nodiscard]] turn_credential turn_credential_for(std::string_view secret, std::int64_t user_id,
                                                  std::chrono::sys_seconds expires_at);

/// The configured STUN servers, and the TURN servers with credentials for `user_id` that end
/// `calls.turn_credential_ttl_s` after `now`.
[[nodiscard]] ice_servers ice_servers_for(const calls_config& cfg, std::int64_t user_id,
                                          std::chrono::sys_seconds now);

}  // namespace poki::calls
