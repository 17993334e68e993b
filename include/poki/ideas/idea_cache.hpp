// Pools of mission ideas in Redis, one per tag and age band, shared by every instance.
//
// Lifetime: a pool lives `ideas.ttl_s` after its last use, never more than `ideas.max_ttl_s`
// after it was first filled (then it is refilled fresh).
//
// Frequency (LFU with decay): a tag's frequency at time t is Σ 2^(−(t − tᵤ)/half_life) over
// its uses u, a use being a fill or a read that found ideas. Redis keeps each tag's
// Σ 2^((tᵤ − epoch)/half_life) in one sorted set: every use adds one term (ZINCRBY), and
// since all tags decay by the same factor the set's order is the decayed order at any t.
// When the exponent grows large the scores are rescaled and the epoch moves. At most
// `ideas.max_tags` tags are kept: a fill past that forgets tags with no pool left, then
// evicts the lowest-scored tag (all its bands) other than the one being filled, so a new
// tag is ranked from its first fill and cannot be pushed out by its own arrival.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "poki/cache/redis_client.hpp"
#include "poki/cache/redis_script.hpp"
#include "poki/core/config.hpp"
#include "poki/ideas/idea_types.hpp"

namespace poki::ideas {

/// Milliseconds since the Unix epoch; a test passes its own clock.
using wall_clock = std::function<std::int64_t()>;
[[nodiscard]] std::int64_t system_now_ms();

struct pool_pick {
    std::vector<idea> ideas;  ///< distinct, at random; empty on a miss
    std::int64_t size = 0;    ///< ideas in the pool
    bool filling = false;     ///< on a miss: another request holds the fill claim
};

struct fill_result {
    std::int64_t size = 0;
    std::vector<std::string> evicted;  ///< tag keys
};

class idea_cache {
  public:
    idea_cache(cache::redis_client& redis, const ideas_config& cfg, wall_clock now = system_now_ms);

    /// Up to `count` ideas of the pool; a hit extends its lifetime and counts `uses` uses
    /// (more than one for the answers an instance served from its near copy meanwhile).
    awaitable<pool_pick> pick(const idea_tag& tag, age_band band, int count, int uses = 1);
    /// Adds ideas (titles already there are skipped) up to the pool's size; counts a use,
    /// evicts past max_tags.
    awaitable<fill_result> fill(const idea_tag& tag, age_band band, std::span<const idea> ideas);

    /// The right to call the model for this pool, across instances: a token, or nullopt
    /// while someone else holds it. Held at most `hold`.
    awaitable<std::optional<std::string>> claim(const idea_tag& tag, age_band band,
                                                milliseconds hold);
    awaitable<void> release(const idea_tag& tag, age_band band, const std::string& token);

    /// While true, nobody calls the model: it failed recently.
    awaitable<bool> backing_off();
    /// Another failure in a row: back off base × 2^(failures − 1), at most backoff_max.
    awaitable<milliseconds> record_failure();
    awaitable<void> record_success();

    /// Counts one model call for the family this hour; false past family_calls_per_hour.
    awaitable<bool> allow_family_call(std::int64_t family_id);

    /// The tag keys in frequency order, lowest first, with their scores (for tests and
    /// operators).
    awaitable<std::vector<std::pair<std::string, double>>> frequencies();

  private:
    std::vector<std::string> pool_keys(const idea_tag& tag, age_band band) const;

    cache::redis_client& redis_;
    const ideas_config& cfg_;
    wall_clock now_;
    cache::redis_script pick_script_;
    cache::redis_script fill_script_;
    cache::redis_script release_script_;
};

/// How an idea is kept in a pool (JSON), and back; nullopt for text that is not one.
[[nodiscard]] std::string pooled_text(const idea& i);
[[nodiscard]] std::optional<idea> pooled_idea(std::string_view text);

}  // namespace poki::ideas
