// Who is online, across instances: a member is online while any of their connections
// (WebSocket or event stream) is alive on any instance. Each instance records in Redis, with
// expiries it refreshes every presence.heartbeat_s, which users it holds; a change is
// published to the member's family. An instance that dies stops refreshing, and the others
// sweep its users offline: within 4 × presence.heartbeat_s of its last heartbeat. A member
// whose last connection closes stays online for presence.offline_grace_ms, so a reload or a
// quick reconnect does not flap; whether they are connected right now (what push asks) is
// kept apart and has no grace.
#pragma once

#include <cstdint>
#include <mutex>
#include <span>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "poki/cache/redis_client.hpp"
#include "poki/core/config.hpp"
#include "poki/core/principal.hpp"
#include "poki/presence/presence_types.hpp"

namespace poki::presence {

class presence_tracker;

/// One live connection of a member; they are counted online while it is held.
class presence_hold {
  public:
    presence_hold() = default;
    presence_hold(presence_tracker& tracker, std::int64_t user_id)
        : tracker_{&tracker}, user_id_{user_id} {}
    ~presence_hold();
    presence_hold(presence_hold&& other) noexcept
        : tracker_{std::exchange(other.tracker_, nullptr)}, user_id_{other.user_id_} {}
    presence_hold& operator=(presence_hold&&) = delete;
    presence_hold(const presence_hold&) = delete;
    presence_hold& operator=(const presence_hold&) = delete;

  private:
    presence_tracker* tracker_ = nullptr;
    std::int64_t user_id_ = 0;
};

class presence_tracker {
  public:
    presence_tracker(net::io_context& ioc, cache::redis_client& redis, const presence_config& cfg);
    presence_tracker(const presence_tracker&) = delete;
    presence_tracker& operator=(const presence_tracker&) = delete;

    /// Starts the heartbeat, which also sweeps dead instances' users offline.
    void start();

    /// A connection of `who` opened here. Thread-safe.
    [[nodiscard]] presence_hold connect(const principal& who);

    /// Whether any instance holds a live connection of the user now, grace not counted (push
    /// skips them).
    awaitable<bool> online(std::int64_t user_id);
    /// The state of each of `members` (of `family_id`), in their order.
    awaitable<std::vector<member_presence>> of_members(std::int64_t family_id,
                                                       std::span<const std::int64_t> members);

    /// The instances that heartbeat lately (this one always among them); nullopt when Redis
    /// cannot say.
    awaitable<std::optional<std::vector<std::string>>> live_instances();

    /// One heartbeat now: refresh this instance's users, sweep dead instances (tests).
    awaitable<void> heartbeat_once();

    [[nodiscard]] const std::string& instance_id() const noexcept { return instance_id_; }
    [[nodiscard]] std::size_t users_here() const;
    void render_metrics(std::string& out) const;

  private:
    friend class presence_hold;
    struct local_user {
        std::int64_t family_id = 0;
        int connections = 0;
        std::uint64_t generation = 0;  // bumped on each change, so a stale grace timer knows
    };

    void disconnect(std::int64_t user_id);
    awaitable<void> went_online(std::int64_t user_id, std::int64_t family_id);
    awaitable<void> set_connected(std::int64_t user_id, bool connected);
    awaitable<void> after_grace(std::int64_t user_id, std::uint64_t generation);
    awaitable<void> went_offline(std::int64_t user_id, std::int64_t family_id,
                                 std::string_view instance);
    awaitable<void> sweep_dead_instances();
    awaitable<void> heartbeat_loop();
    void spawn(awaitable<void> work);
    [[nodiscard]] std::int64_t ttl_ms() const noexcept;

    net::io_context& ioc_;
    cache::redis_client& redis_;
    const presence_config& config_;
    std::string instance_id_;
    mutable std::mutex mutex_;
    std::unordered_map<std::int64_t, local_user> users_;  // guarded by mutex_
    std::uint64_t next_generation_ = 1;                   // guarded by mutex_
    std::atomic<std::uint64_t> published_{0};
    std::atomic<std::uint64_t> swept_{0};
};

}  // namespace poki::presence
