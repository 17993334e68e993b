// An instance's own copy of the idea pools it serves, read from Redis at most once every
// `ideas.near_cache_ms`: a pooled answer is then five ideas at random from memory, and the
// uses it served are counted in Redis (frequency and lifetime) with the copy's next read, one
// script call per pool per interval instead of one per request. What another instance
// changes (a fill, an eviction, the end of a pool's life) shows here within the interval.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "poki/core/config.hpp"
#include "poki/ideas/idea_types.hpp"

namespace poki::ideas {

/// Whether the answers served from a copy are counted: a Redis pool's uses feed its frequency
/// and lifetime; the offline library's feed nothing.
enum class copy_uses { counted, not_counted };

class near_pools {
  public:
    /// `keep` 0: nothing is kept, every answer reads its source.
    explicit near_pools(milliseconds keep, copy_uses uses = copy_uses::counted)
        : keep_{keep}, counting_{uses} {}

    /// `count` distinct ideas at random from the copy of pool `key`, when it was read within
    /// `keep`; the use is counted for the next read.
    std::optional<std::vector<idea>> pick(const std::string& key, int count);
    /// The uses served from the copy since it was read; counted from zero again.
    int take_uses(const std::string& key);
    /// The whole pool as just read.
    void keep(const std::string& key, std::vector<idea> ideas);
    /// The pool is empty now.
    void forget(const std::string& key);

  private:
    struct copy {
        std::vector<idea> ideas;
        std::chrono::steady_clock::time_point read_at;
        int uses = 0;
    };
    void drop_stale(std::chrono::steady_clock::time_point now);

    milliseconds keep_;
    copy_uses counting_;
    std::mutex mutex_;
    std::unordered_map<std::string, copy> copies_;
};

/// `count` distinct ideas of `from` at random (all of them, shuffled, when it holds fewer).
[[nodiscard]] std::vector<idea> random_ideas(const std::vector<idea>& from, int count);

}  // namespace poki::ideas
