// Attempt counters in Redis with a TTL window: shared by every instance, gone by themselves.
#pragma once

#include <chrono>
#include <string>

#include "poki/cache/redis_client.hpp"

namespace poki::auth {

class rate_limiter {
  public:
    explicit rate_limiter(cache::redis_client& redis) : redis_{redis} {}

    /// Counts one attempt under `key`. Throws error::too_many (429 with Retry-After) once more
    /// than `limit` attempts fall in the window, and errc::unavailable while Redis is down.
    awaitable<void> hit(std::string key, int limit, std::chrono::seconds window);

  private:
    cache::redis_client& redis_;
};

}  // namespace poki::auth
