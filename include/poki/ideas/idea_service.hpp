// Mission ideas for parents: a few ideas for a tag and a child's age, and one of them given
// to a child as an ordinary mission.
//
// With a model configured, answers come from Redis pools (idea_cache) that the model fills,
// through each instance's near copy of them (near_pools, ideas.near_cache_ms):
// a miss claims the pool's fill across instances and calls the model once while the other
// requests wait (at most ideas.fill_wait_ms) for its answer; a pool below its size is topped
// up in the background. Whatever cannot be answered so (no model, the model failing or
// backing off, the family's hourly calls spent, Redis down, a wait that ran out) is answered
// from the offline library (sql/0016_mission_ideas.sql), which each instance also keeps a
// copy of (re-read a minute after it was read: the migrations write it, nothing else does).
#pragma once

#include <atomic>
#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include <boost/asio/any_io_executor.hpp>

#include "poki/core/principal.hpp"
#include "poki/core/request_key.hpp"
#include "poki/db/read_pipeline.hpp"
#include "poki/ideas/idea_cache.hpp"
#include "poki/ideas/idea_types.hpp"
#include "poki/ideas/model_client.hpp"
#include "poki/ideas/near_pools.hpp"
#include "poki/missions/mission_service.hpp"

namespace poki::ideas {

struct idea_counters {
    std::atomic<std::uint64_t> hits{0};       ///< answered from a pool
    std::atomic<std::uint64_t> misses{0};     ///< found the pool empty
    std::atomic<std::uint64_t> fallbacks{0};  ///< answered from the library although a model is set
    std::atomic<std::uint64_t> evictions{0};  ///< tags evicted by fills of this instance
};

class idea_service {
  public:
    idea_service(db::pool& database, db::read_pipeline& reads, missions::mission_service& missions,
                 cache::redis_client& redis, model_client& model, const ideas_config& cfg,
                 wall_clock now = system_now_ms);

    static constexpr int ideas_per_answer = 5;

    /// Parents. Different ideas on different calls when the pool (or the library) holds more
    /// than five; a free tag the library has no ideas for gets ideas of every tag for the age.
    awaitable<idea_answer> suggest(principal who, idea_tag tag, age_band band);

    /// Parents: whether a stream will ask the model (false: it answers from the library).
    /// Counts one of the family's hourly model calls; 429 once they are spent.
    awaitable<bool> begin_stream(principal who);
    /// A fresh answer, its text handed to `on_piece` as the model writes it; the ideas go
    /// into the pool. The library's ideas when `ask_model` is false or the model fails.
    awaitable<idea_answer> stream(bool ask_model, idea_tag tag, age_band band,
                                  model_client::piece_sink on_piece);

    /// Parents: the idea as an assigned mission for their child (mission.assigned, pushed
    /// when offline); the answer is the mission. 404 for an idea that does not exist.
    awaitable<keyed_answer> assign(principal who, idea_assignment input,
                                   std::optional<request_key> key = std::nullopt);

    [[nodiscard]] const idea_counters& counters() const noexcept { return counters_; }
    void render_metrics(std::string& out) const;

    /// Waits (at most `bound`) until no top-up is in flight: the service must outlive them,
    /// so whoever destroys it while the io_context still runs waits for this first.
    awaitable<void> finish_background(milliseconds bound);

  private:
    awaitable<idea_answer> from_library(idea_tag tag, age_band band);
    /// Five of the library's ideas for `band` at random, of `tag` or of every tag.
    awaitable<std::vector<idea>> library_pick(std::optional<std::string> tag, age_band band);
    awaitable<std::optional<idea_answer>> from_pool(const principal& who, const idea_tag& tag,
                                                    age_band band);
    awaitable<std::optional<idea_answer>> fill_on_miss(const principal& who, const idea_tag& tag,
                                                       age_band band, bool filling);
    awaitable<std::optional<idea_answer>> wait_for_fill(const idea_tag& tag, age_band band);
    /// Calls the model, keeps its ideas in PostgreSQL and the pool; nullopt when it failed
    /// (then the back-off grows).
    awaitable<std::optional<std::vector<idea>>> ask_model(const idea_tag& tag, age_band band,
                                                          std::vector<std::string> avoid);
    awaitable<std::vector<idea>> keep(const idea_tag& tag, age_band band,
                                      std::span<const drafted_idea> drafts);
    void top_up_later(const net::any_io_executor& executor, const idea_tag& tag, age_band band,
                      std::vector<std::string> avoid);
    awaitable<void> top_up(idea_tag tag, age_band band, std::vector<std::string> avoid);
    [[nodiscard]] milliseconds claim_hold() const;

    db::pool& database_;
    db::read_pipeline& reads_;
    missions::mission_service& missions_;
    model_client& model_;
    const ideas_config& cfg_;
    idea_cache cache_;
    near_pools near_;
    near_pools library_;
    idea_counters counters_;
    std::atomic<int> top_ups_in_flight_{0};
    std::mutex top_up_mutex_;
    /// When this instance last tried to top a pool up: a busy pool is tried once a few
    /// seconds, not on every read (guarded by top_up_mutex_).
    std::unordered_map<std::string, std::chrono::steady_clock::time_point> top_up_tried_;
};

}  // namespace poki::ideas
