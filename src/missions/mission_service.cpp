#include "poki/missions/mission_service.hpp"

#include "poki/core/error.hpp"
#include "poki/core/log.hpp"
#include "poki/core/metrics.hpp"
#include "poki/core/periodic.hpp"
#include "poki/db/claimed_batches.hpp"
#include "poki/family/family_lookup.hpp"
#include "poki/grapes/grape_awards.hpp"
#include "poki/missions/mission_json.hpp"
#include "poki/missions/mission_repository.hpp"

namespace poki::missions {
namespace {

using notify::event_draft;
using notify::push_text;

error no_such_mission() {
    return error{errc::not_found, "No such mission."};
}

/// The mission if the caller may see it: parents see their family's, a child their own.
mission visible(std::optional<mission> found, principal who) {
    if (!found || found->family_id != who.family_id ||
        (who.role == role::child && found->child_id != who.user_id)) {
        throw no_such_mission();
    }
    return std::move(*found);
}

error wrong_state(std::string_view what, mission_status now) {
    return error::conflict_in_state(
        std::string{what} + " The mission is " + std::string{to_string(now)} + ".",
        std::string{to_string(now)});
}

event_draft to_child(const mission& m, std::string_view type, std::optional<push_text> push) {
    return event_draft{
        m.child_id, std::string{type}, {{"mission", mission_json(m)}}, std::move(push)};
}

std::vector<event_draft> to_parents(pqxx::transaction_base& tx, const mission& m,
                                    std::string_view type, const std::optional<push_text>& push) {
    return family::drafts_for(family::member_ids(tx, m.family_id, role::parent), type,
                              {{"mission", mission_json(m)}}, push);
}

std::vector<event_draft> expired_drafts(pqxx::transaction_base& tx, const mission& m) {
    auto drafts = to_parents(tx, m, "mission.expired", std::nullopt);
    drafts.push_back(to_child(m, "mission.expired", std::nullopt));
    return drafts;
}

std::string reward_text(int reward) {
    return "포도 " + std::to_string(reward) + "알";
}

/// One approval inside its group's transaction.
transition approve_in(pqxx::work& tx, notify::event_log& log, const approval& a) {
    const auto& who = a.who;
    const auto id = a.mission_id;
    // The row lock makes a second parent wait here, then see "approved".
    auto m = visible(mission_repository::lock(tx, id), who);
    if (m.status == mission_status::approved) {
        return transition{std::move(m), false};
    }
    if (m.status != mission_status::submitted) {
        throw wrong_state("Only a submitted mission can be approved.", m.status);
    }
    auto approved =
        mission_repository::decide(tx, id, mission_status::approved, std::nullopt, who.user_id);
    // The board before any event: every write takes a board's lock before recipients'
    // event counters, so an approval and an award on the same board never deadlock.
    // The ledger's unique mission_id is the last word: a second award cannot commit.
    auto paid = grapes::award(
        tx, approved.child_id,
        grapes::ledger_change{grapes::ledger_kind::mission, approved.reward, approved.id,
                              std::nullopt, approved.title, who.user_id});
    log.record(to_child(
        approved, "mission.approved",
        push_text{"미션 성공! " + reward_text(approved.reward) + "을 받았어요", approved.title}));
    log.record(std::move(paid.told));
    return transition{std::move(approved), true};
}

}  // namespace

mission_service::mission_service(net::io_context& ioc, db::pool& database, db::read_pipeline& reads,
                                 notify::event_service& events, const missions_config& config)
    : database_{database}
    , reads_{reads}
    , events_{events}
    , config_{config}
    , approvals_{ioc, static_cast<std::size_t>(config.max_approval_group),
                 static_cast<std::size_t>(config.approval_lanes),
                 [this](std::vector<approval> group) { return approve_group(std::move(group)); }} {
    mission_repository::declare_statements(database_);
    family::declare_lookup_statements(database_);
    grapes::declare_award_statements(database_);
}

awaitable<keyed_answer> mission_service::create(principal who, new_mission input,
                                                std::optional<request_key> key) {
    require_parent(who);
    auto assign = [who, input = std::move(input)](pqxx::work& tx, notify::event_log& log) {
        family::require_child(tx, who.family_id, input.child_id);
        auto m = mission_repository::insert(tx, who.family_id, who.user_id, input);
        log.record(
            to_child(m, "mission.assigned",
                     push_text{"새 미션이 도착했어요", m.title + " · " + reward_text(m.reward)}));
        return m;
    };
    auto answer = [](const mission& m) { return mission_json(m); };
    co_return co_await events_.write_once(std::move(key), std::move(assign), std::move(answer));
}

awaitable<mission_page> mission_service::list(principal who, mission_filter filter) {
    if (who.role == role::child) {
        if (filter.child_id && *filter.child_id != who.user_id) {
            throw error{errc::forbidden, "A child sees only their own missions."};
        }
        filter.child_id = who.user_id;
    }
    auto page = co_await mission_repository::list(reads_, who.family_id, filter);
    if (!page) {
        throw error{errc::not_found, "No such child in your family."};
    }
    co_return std::move(*page);
}

awaitable<mission> mission_service::get(principal who, std::int64_t id) {
    co_return visible(co_await mission_repository::find(reads_, id), who);
}

awaitable<mission> mission_service::update(principal who, std::int64_t id, mission_patch patch) {
    require_parent(who);
    auto edit = [who, id, patch = std::move(patch)](pqxx::work& tx, notify::event_log& log) {
        auto m = visible(mission_repository::lock(tx, id), who);
        if (m.status != mission_status::assigned && m.status != mission_status::rejected) {
            throw wrong_state("Only an assigned or rejected mission can be changed.", m.status);
        }
        if (patch.title) {
            m.title = *patch.title;
        }
        if (patch.description) {
            m.description = *patch.description;
        }
        if (patch.tag) {
            m.tag = *patch.tag;
        }
        if (patch.reward) {
            m.reward = *patch.reward;
        }
        if (patch.due_at) {
            m.due_at = *patch.due_at;
        }
        auto edited = mission_repository::edit(tx, m);
        log.record(to_child(edited, "mission.updated", {}));
        return edited;
    };
    co_return co_await events_.write(std::move(edit));
}

awaitable<void> mission_service::remove(principal who, std::int64_t id) {
    require_parent(who);
    auto erase = [who, id](pqxx::work& tx, notify::event_log& log) {
        const auto m = visible(mission_repository::lock(tx, id), who);
        if (m.status == mission_status::approved) {
            throw wrong_state(
                "An approved mission stays: its grapes were given. Correct the grapes instead.",
                m.status);
        }
        mission_repository::remove(tx, id);
        log.record(
            event_draft{m.child_id, "mission.deleted", {{"mission_id", m.id}}, std::nullopt});
    };
    co_await events_.write(std::move(erase));
}

awaitable<transition> mission_service::submit(principal who, std::int64_t id,
                                              std::optional<std::string> note) {
    auto hand_in = [who, id, note = std::move(note)](pqxx::work& tx, notify::event_log& log) {
        auto m = visible(mission_repository::lock(tx, id), who);
        if (who.user_id != m.child_id) {
            throw error{errc::forbidden, "not_your_mission",
                        "Only the child the mission is for submits it."};
        }
        if (m.status == mission_status::submitted) {
            return transition{std::move(m), false};
        }
        if (m.status == mission_status::assigned && m.overdue) {
            // The expiry job has not come by yet; the mission expires now, exactly as the
            // job would have expired it.
            auto expired = mission_repository::expire(tx, id);
            if (!expired) {  // cannot happen while the row is locked; never report a blank
                throw wrong_state("Its due time has passed.", m.status);
            }
            log.record(expired_drafts(tx, *expired));
            return transition{std::move(*expired), true};
        }
        if (m.status != mission_status::assigned && m.status != mission_status::rejected) {
            throw wrong_state("Only an assigned or rejected mission can be submitted.", m.status);
        }
        auto submitted = mission_repository::submit(tx, id, note);
        log.record(to_parents(tx, submitted, "mission.submitted",
                              push_text{"미션 완료 확인을 기다려요", submitted.title}));
        return transition{std::move(submitted), true};
    };
    auto done = co_await events_.write(std::move(hand_in));
    if (done.after.status == mission_status::expired) {
        throw wrong_state("Its due time has passed.", mission_status::expired);
    }
    co_return done;
}

awaitable<transition> mission_service::approve(principal who, std::int64_t id) {
    require_parent(who);
    // A family's approvals share a lane: nothing of one family is locked by another's.
    const auto lane = static_cast<std::uint64_t>(who.family_id);
    approval asked{who, id};  // named: g++ 12 miscompiles a braced temporary in a co_await
    auto done = co_await approvals_.submit(asked, lane);
    if (done.changed) {
        approved_.fetch_add(1, std::memory_order_relaxed);
    }
    co_return done;
}

awaitable<std::vector<transition>> mission_service::approve_group(std::vector<approval> group) {
    // In arrival order: a second approval of the same mission in the group finds it approved.
    auto decide = [group = std::move(group)](pqxx::work& tx, notify::event_log& log) {
        std::vector<transition> out;
        out.reserve(group.size());
        for (const auto& a : group) {
            out.push_back(approve_in(tx, log, a));
        }
        return out;
    };
    co_return co_await events_.write(std::move(decide));
}

awaitable<transition> mission_service::reject(principal who, std::int64_t id, std::string reason) {
    require_parent(who);
    auto decide = [who, id, reason = std::move(reason)](pqxx::work& tx, notify::event_log& log) {
        auto m = visible(mission_repository::lock(tx, id), who);
        if (m.status == mission_status::rejected) {
            return transition{std::move(m), false};
        }
        if (m.status != mission_status::submitted) {
            throw wrong_state("Only a submitted mission can be rejected.", m.status);
        }
        auto rejected =
            mission_repository::decide(tx, id, mission_status::rejected, reason, who.user_id);
        log.record(
            to_child(rejected, "mission.rejected",
                     push_text{"미션을 한 번 더 해볼까요?", rejected.title + " · " + reason}));
        return transition{std::move(rejected), true};
    };
    co_return co_await events_.write(std::move(decide));
}

awaitable<std::optional<std::int64_t>> mission_service::expire_overdue() {
    constexpr int batch = 500;
    // Each batch is its own write, so its events go out as soon as it commits.
    db::async_batch_step step = [this](std::int64_t size) -> awaitable<std::int64_t> {
        auto expire = [size](pqxx::work& tx, notify::event_log& log) {
            const auto expired = mission_repository::expire_due(tx, static_cast<int>(size));
            for (const auto& m : expired) {
                log.record(expired_drafts(tx, m));
            }
            return static_cast<std::int64_t>(expired.size());
        };
        co_return co_await events_.write(std::move(expire));
    };
    const auto total = co_await db::run_claimed_batches(
        database_, "missions.expiry", config_.expiry_interval_s, batch, std::move(step));
    if (total) {
        expired_.fetch_add(static_cast<std::uint64_t>(*total), std::memory_order_relaxed);
        if (*total > 0) {
            log::info("overdue missions expired", {{"expired", *total}});
        }
    }
    co_return total;
}

awaitable<void> mission_service::run_expiry(job_monitor& jobs) {
    // The closure lives in run_periodically's frame for as long as the job can run.
    std::function<awaitable<void>()> job = [this]() -> awaitable<void> {
        co_await expire_overdue();
    };
    co_await run_periodically("mission expiry", std::chrono::seconds{config_.expiry_interval_s},
                              std::move(job), jobs);
}

void mission_service::render_metrics(std::string& out) const {
    append_metric_header(out, "poki_missions_approved_total", "counter",
                         "Missions approved (each awards its grapes once).");
    append_metric(out, "poki_missions_approved_total", "", static_cast<double>(approved_.load()));
    append_metric_header(out, "poki_missions_expired_total", "counter",
                         "Assigned missions expired by the due-time job.");
    append_metric(out, "poki_missions_expired_total", "", static_cast<double>(expired_.load()));
    const auto groups = approvals_.stats();
    append_metric_header(out, "poki_mission_approval_groups_total", "counter",
                         "Transactions that committed approvals together.");
    append_metric(out, "poki_mission_approval_groups_total", "",
                  static_cast<double>(groups.groups));
    append_metric_header(out, "poki_mission_approval_split_groups_total", "counter",
                         "Approval groups that failed and were committed again in halves.");
    append_metric(out, "poki_mission_approval_split_groups_total", "",
                  static_cast<double>(groups.splits));
    append_metric_header(out, "poki_mission_largest_approval_group", "gauge",
                         "The most approvals one transaction has committed.");
    append_metric(out, "poki_mission_largest_approval_group", "",
                  static_cast<double>(groups.largest));
}

}  // namespace poki::missions
