// Missions: a parent gives a child a task worth grapes; the child submits it; a parent
// approves (the grapes are awarded, once) or rejects it (the child may try again); an
// assigned mission whose due time passes expires. Every change is told as an event.
#pragma once

#include <atomic>
#include <optional>
#include <string>
#include <vector>

#include "poki/core/config.hpp"
#include "poki/core/periodic.hpp"
#include "poki/core/principal.hpp"
#include "poki/db/group_commit.hpp"
#include "poki/db/pool.hpp"
#include "poki/db/read_pipeline.hpp"
#include "poki/missions/mission_types.hpp"
#include "poki/notify/event_service.hpp"

namespace poki::missions {

/// What a transition did: `changed` is false when the mission already was in the state
/// asked for (a retried or raced request), and nothing happened.
struct transition {
    mission after;
    bool changed = true;
};

struct approval {
    principal who;
    std::int64_t mission_id = 0;
};

class mission_service {
  public:
    mission_service(net::io_context& ioc, db::pool& database, db::read_pipeline& reads,
                    notify::event_service& events, const missions_config& config);

    /// Parents.
    /// The answer is the new mission's JSON; a repeat with the same key answers it again.
    awaitable<keyed_answer> create(principal who, new_mission input,
                                   std::optional<request_key> key = std::nullopt);
    /// Parents see every mission of the family; a child only their own.
    awaitable<mission_page> list(principal who, mission_filter filter);
    awaitable<mission> get(principal who, std::int64_t id);
    /// Parents, while the mission is assigned or rejected.
    awaitable<mission> update(principal who, std::int64_t id, mission_patch patch);
    /// Parents; an approved mission stays (its grapes are on the ledger).
    awaitable<void> remove(principal who, std::int64_t id);

    /// The mission's child.
    awaitable<transition> submit(principal who, std::int64_t id, std::optional<std::string> note);
    /// Parents. Awards the reward exactly once, however often it is retried or raced.
    /// Approvals that arrive together commit together (up to missions.max_approval_group):
    /// a storm of approvals shares transactions instead of waiting on one commit each.
    awaitable<transition> approve(principal who, std::int64_t id);
    awaitable<transition> reject(principal who, std::int64_t id, std::string reason);

    /// Expires every overdue assigned mission, if no instance ran this within
    /// missions.expiry_interval_s; returns how many, or nullopt when another had the run.
    awaitable<std::optional<std::int64_t>> expire_overdue();
    /// Runs expire_overdue on a schedule until the io_context stops.
    awaitable<void> run_expiry(job_monitor& jobs);

    void render_metrics(std::string& out) const;

  private:
    awaitable<std::vector<transition>> approve_group(std::vector<approval> group);

    db::pool& database_;
    db::read_pipeline& reads_;
    notify::event_service& events_;
    const missions_config& config_;
    std::atomic<std::uint64_t> approved_{0};
    std::atomic<std::uint64_t> expired_{0};
    db::group_commit<approval, transition> approvals_;
};

}  // namespace poki::missions
