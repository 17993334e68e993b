// Access tokens: JWT signed HS256, with a key id so keys can be rotated (old keys verify,
// only the current one signs).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "poki/core/config.hpp"
#include "poki/core/error.hpp"
#include "poki/core/principal.hpp"

namespace poki::auth {

struct access_claims {
    principal who;
    std::int64_t issued_at = 0;  ///< seconds since the epoch
    std::int64_t expires_at = 0;
};

class jwt_codec {
  public:
    /// Throws config_error for a malformed auth.jwt_previous_keys. An empty auth.jwt_secret
    /// gets a random key (tokens then die with the process).
    explicit jwt_codec(const auth_config& cfg);

    [[nodiscard]] std::string sign(const access_claims& claims) const;

    /// errc::unauthorized for anything not signed by a known key, malformed, or expired at `now`.
    [[nodiscard]] result<access_claims> verify(std::string_view token, std::int64_t now) const;

    [[nodiscard]] bool uses_ephemeral_key() const noexcept { return ephemeral_; }

  private:
    struct key {
        std::string id;
        std::string secret;
    };
    std::vector<key> keys_;  // the first one signs
    bool ephemeral_ = false;
};

}  // namespace poki::auth
