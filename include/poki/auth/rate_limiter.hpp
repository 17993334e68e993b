// Attempt counters: in Redis with a TTL window, shared by every instance and gone by
// themselves; while Redis is away, in this process's memory, so a limit still holds (per
// instance) instead of failing every attempt. Every count is taken before the attempt is
// judged, so a limit holds however many attempts arrive at once.
#pragma once

#include <chrono>
#include <mutex>
#include <string>
#include <unordered_map>

#include "poki/cache/redis_client.hpp"

namespace poki::auth {

/// Fixed-window counters in memory, bounded in how many keys they hold.
class local_counters {
  public:
    explicit local_counters(std::size_t max_keys = 100000) : max_keys_{max_keys} {}

    /// Counts one attempt; the seconds until the window ends when it is past `limit`.
    [[nodiscard]] std::optional<std::chrono::seconds> hit(const std::string& key, int limit,
                                                          std::chrono::seconds window);
    void give_back(const std::string& key);

  private:
    struct window_count {
        int count = 0;
        std::chrono::steady_clock::time_point ends;
    };
    std::size_t max_keys_;
    std::mutex mutex_;
    std::unordered_map<std::string, window_count> counts_;  // guarded by mutex_
};

class rate_limiter {
  public:
    explicit rate_limiter(cache::redis_client& redis) : redis_{redis} {}

    /// The counter's key for `value` (an address, an account name) under `scope`: Redis
    /// keys carry a hash of the value, never the value itself.
    [[nodiscard]] static std::string key(std::string_view scope, std::string_view value);

    /// Counts one attempt under `key`. Throws error::too_many (429 with Retry-After) once more
    /// than `limit` attempts fall in the window.
    awaitable<void> hit(std::string key, int limit, std::chrono::seconds window);

    /// Takes back one attempt that turned out to be good (a right link code).
    awaitable<void> give_back(std::string key);

  private:
    cache::redis_client& redis_;
    local_counters fallback_;
};

}  // namespace poki::auth
