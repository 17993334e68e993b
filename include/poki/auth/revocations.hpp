// Members removed from a family lose access at once: access tokens are checked against a
// Redis mark that outlives every token issued before the removal.
#pragma once

#include <chrono>
#include <cstdint>

#include "poki/cache/redis_client.hpp"

namespace poki::auth {

class revocations {
  public:
    revocations(cache::redis_client& redis, std::chrono::seconds token_lifetime)
        : redis_{redis}, token_lifetime_{token_lifetime} {}

    awaitable<void> revoke_user(std::int64_t user_id);

    /// Throws errc::unavailable while Redis is down: when in doubt, no access.
    awaitable<bool> is_revoked(std::int64_t user_id);

  private:
    cache::redis_client& redis_;
    std::chrono::seconds token_lifetime_;
};

}  // namespace poki::auth
