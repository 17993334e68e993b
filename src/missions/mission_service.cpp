#include "poki/missions/mission_service.hpp"

#include "poki/core/error.hpp"
#include "poki/core/log.hpp"
#include "poki/core/metrics.hpp"
#include "poki/core/periodic.hpp"
#include "poki/db/scheduled_runs.hpp"
#include "poki/family/family_lookup.hpp"
#include "poki/grapes/grape_events.hpp"
#include "poki/grapes/grape_repository.hpp"
#include "poki/missions/mission_json.hpp"
#include "poki/missions/mission_repository.hpp"

namespace poki::missions {
namespace {

using notify::event_draft;
using notify::push_text;

struct changed_mission {
    transition result;
    std::vector<notify::stored_event> events;
};

error no_such_mission() {
    return error{errc::not_found, "No such mission."};
}

void require_parent_role(principal who) {
    if (who.role != role::parent) {
        throw error{errc::forbidden, "Only a parent may do this."};
    }
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

}  // namespace

mission_service::mission_service(db::pool& database, notify::event_service& events,
                                 const missions_config& config)
    : database_{database}, events_{events}, config_{config} {
    mission_repository::declare_statements(database_);
    family::family_repository::declare_statements(database_);  // the family lookups
    grapes::grape_repository::declare_statements(database_);
}

awaitable<mission> mission_service::create(principal who, new_mission input) {
    require_parent_role(who);
    auto write = [this, who, input = std::move(input)](pqxx::connection& c) {
        pqxx::work tx{c};
        family::require_child(tx, who.family_id, input.child_id);
        changed_mission out;
        out.result.after = mission_repository::insert(tx, who.family_id, who.user_id, input);
        const auto& m = out.result.after;
        std::vector<event_draft> drafts{
            to_child(m, "mission.assigned",
                     push_text{"새 미션이 도착했어요", m.title + " · " + reward_text(m.reward)})};
        out.events = events_.record(tx, std::move(drafts));
        tx.commit();
        return out;
    };
    auto done = co_await database_.run(std::move(write));
    co_await events_.publish(std::move(done.events));
    co_return std::move(done.result.after);
}

awaitable<mission_page> mission_service::list(principal who, mission_filter filter) {
    if (who.role == role::child) {
        if (filter.child_id && *filter.child_id != who.user_id) {
            throw error{errc::forbidden, "A child sees only their own missions."};
        }
        filter.child_id = who.user_id;
    }
    auto load = [who, filter](pqxx::connection& c) {
        pqxx::read_transaction tx{c};
        if (filter.child_id && who.role == role::parent) {
            family::require_child(tx, who.family_id, *filter.child_id);
        }
        return mission_repository::list(tx, who.family_id, filter);
    };
    co_return co_await database_.run(std::move(load));
}

awaitable<mission> mission_service::get(principal who, std::int64_t id) {
    auto load = [id](pqxx::connection& c) {
        pqxx::read_transaction tx{c};
        return mission_repository::find(tx, id);
    };
    co_return visible(co_await database_.run(std::move(load)), who);
}

awaitable<mission> mission_service::update(principal who, std::int64_t id, mission_patch patch) {
    require_parent_role(who);
    auto write = [this, who, id, patch = std::move(patch)](pqxx::connection& c) {
        pqxx::work tx{c};
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
        changed_mission out;
        out.result.after = mission_repository::edit(tx, m);
        std::vector<event_draft> drafts{to_child(out.result.after, "mission.updated", {})};
        out.events = events_.record(tx, std::move(drafts));
        tx.commit();
        return out;
    };
    auto done = co_await database_.run(std::move(write));
    co_await events_.publish(std::move(done.events));
    co_return std::move(done.result.after);
}

awaitable<void> mission_service::remove(principal who, std::int64_t id) {
    require_parent_role(who);
    auto write = [this, who, id](pqxx::connection& c) {
        pqxx::work tx{c};
        const auto m = visible(mission_repository::lock(tx, id), who);
        if (m.status == mission_status::approved) {
            throw wrong_state(
                "An approved mission stays: its grapes were given. Correct the grapes instead.",
                m.status);
        }
        mission_repository::remove(tx, id);
        std::vector<event_draft> drafts{
            event_draft{m.child_id, "mission.deleted", {{"mission_id", m.id}}, std::nullopt}};
        auto events = events_.record(tx, std::move(drafts));
        tx.commit();
        return events;
    };
    auto events = co_await database_.run(std::move(write));
    co_await events_.publish(std::move(events));
}

awaitable<transition> mission_service::submit(principal who, std::int64_t id,
                                              std::optional<std::string> note) {
    auto write = [this, who, id, note = std::move(note)](pqxx::connection& c) {
        pqxx::work tx{c};
        auto m = visible(mission_repository::lock(tx, id), who);
        if (who.user_id != m.child_id) {
            throw error{errc::forbidden, "Only the child the mission is for submits it."};
        }
        changed_mission out;
        if (m.status == mission_status::submitted) {
            out.result = transition{std::move(m), false};
            return out;
        }
        if (m.status == mission_status::assigned && m.overdue) {
            // The expiry job has not come by yet; the mission expires now, exactly as the
            // job would have expired it.
            auto expired = mission_repository::expire(tx, id);
            if (!expired) {  // cannot happen while the row is locked; never report a blank
                throw wrong_state("Its due time has passed.", m.status);
            }
            out.events = events_.record(tx, expired_drafts(tx, *expired));
            out.result = transition{std::move(*expired), true};
            tx.commit();
            return out;
        }
        if (m.status != mission_status::assigned && m.status != mission_status::rejected) {
            throw wrong_state("Only an assigned or rejected mission can be submitted.", m.status);
        }
        out.result.after = mission_repository::submit(tx, id, note);
        out.events = events_.record(
            tx, to_parents(tx, out.result.after, "mission.submitted",
                           push_text{"미션 완료 확인을 기다려요", out.result.after.title}));
        tx.commit();
        return out;
    };
    auto done = co_await database_.run(std::move(write));
    co_await events_.publish(std::move(done.events));
    if (done.result.after.status == mission_status::expired) {
        throw wrong_state("Its due time has passed.", mission_status::expired);
    }
    co_return std::move(done.result);
}

awaitable<transition> mission_service::approve(principal who, std::int64_t id) {
    require_parent_role(who);
    auto write = [this, who, id](pqxx::connection& c) {
        pqxx::work tx{c};
        // The row lock makes a second parent wait here, then see "approved".
        auto m = visible(mission_repository::lock(tx, id), who);
        changed_mission out;
        if (m.status == mission_status::approved) {
            out.result = transition{std::move(m), false};
            return out;
        }
        if (m.status != mission_status::submitted) {
            throw wrong_state("Only a submitted mission can be approved.", m.status);
        }
        out.result.after =
            mission_repository::decide(tx, id, mission_status::approved, std::nullopt, who.user_id);
        const auto& approved = out.result.after;
        auto board =
            grapes::grape_repository::lock_open_board(tx, approved.child_id, approved.family_id);
        // The ledger's unique mission_id is the last word: a second award cannot commit.
        const auto entry = grapes::grape_repository::append(
            tx, board,
            grapes::ledger_change{grapes::ledger_kind::mission, approved.reward, approved.id,
                                  std::nullopt, approved.title, who.user_id, std::nullopt});
        std::vector<event_draft> drafts{
            to_child(approved, "mission.approved",
                     push_text{"미션 성공! " + reward_text(approved.reward) + "을 받았어요",
                               approved.title})};
        auto grapes = grapes::grapes_changed(tx, board, grapes::entry_json(entry));
        std::move(grapes.begin(), grapes.end(), std::back_inserter(drafts));
        out.events = events_.record(tx, std::move(drafts));
        tx.commit();
        return out;
    };
    auto done = co_await database_.run(std::move(write));
    co_await events_.publish(std::move(done.events));
    if (done.result.changed) {
        approved_.fetch_add(1, std::memory_order_relaxed);
    }
    co_return std::move(done.result);
}

awaitable<transition> mission_service::reject(principal who, std::int64_t id, std::string reason) {
    require_parent_role(who);
    auto write = [this, who, id, reason = std::move(reason)](pqxx::connection& c) {
        pqxx::work tx{c};
        auto m = visible(mission_repository::lock(tx, id), who);
        changed_mission out;
        if (m.status == mission_status::rejected) {
            out.result = transition{std::move(m), false};
            return out;
        }
        if (m.status != mission_status::submitted) {
            throw wrong_state("Only a submitted mission can be rejected.", m.status);
        }
        out.result.after =
            mission_repository::decide(tx, id, mission_status::rejected, reason, who.user_id);
        std::vector<event_draft> drafts{to_child(
            out.result.after, "mission.rejected",
            push_text{"미션을 한 번 더 해볼까요?", out.result.after.title + " · " + reason})};
        out.events = events_.record(tx, std::move(drafts));
        tx.commit();
        return out;
    };
    auto done = co_await database_.run(std::move(write));
    co_await events_.publish(std::move(done.events));
    co_return std::move(done.result);
}

awaitable<std::optional<std::int64_t>> mission_service::expire_overdue() {
    constexpr int batch = 500;
    auto claim = [period = config_.expiry_interval_s](pqxx::connection& c) {
        pqxx::work tx{c};
        const bool mine = db::claim_scheduled_run(tx, "missions.expiry", period);
        tx.commit();
        return mine;
    };
    if (!co_await database_.run(std::move(claim))) {
        co_return std::nullopt;
    }
    std::int64_t total = 0;
    while (true) {
        auto expire = [this](pqxx::connection& c) {
            pqxx::work tx{c};
            const auto expired = mission_repository::expire_due(tx, batch);
            std::vector<event_draft> drafts;
            for (const auto& m : expired) {
                auto more = expired_drafts(tx, m);
                std::move(more.begin(), more.end(), std::back_inserter(drafts));
            }
            auto events = events_.record(tx, std::move(drafts));
            tx.commit();
            return std::pair{static_cast<std::int64_t>(expired.size()), std::move(events)};
        };
        auto [n, events] = co_await database_.run(std::move(expire));
        co_await events_.publish(std::move(events));
        total += n;
        if (n < batch) {
            break;
        }
    }
    expired_.fetch_add(static_cast<std::uint64_t>(total), std::memory_order_relaxed);
    if (total > 0) {
        log::info("overdue missions expired", {{"expired", total}});
    }
    co_return total;
}

awaitable<void> mission_service::run_expiry() {
    // The closure lives in run_periodically's frame for as long as the job can run.
    std::function<awaitable<void>()> job = [this]() -> awaitable<void> {
        co_await expire_overdue();
    };
    co_await run_periodically("mission expiry", std::chrono::seconds{config_.expiry_interval_s},
                              std::move(job));
}

void mission_service::render_metrics(std::string& out) const {
    append_metric_header(out, "poki_missions_approved_total", "counter",
                         "Missions approved (each awards its grapes once).");
    append_metric(out, "poki_missions_approved_total", "", static_cast<double>(approved_.load()));
    append_metric_header(out, "poki_missions_expired_total", "counter",
                         "Assigned missions expired by the due-time job.");
    append_metric(out, "poki_missions_expired_total", "", static_cast<double>(expired_.load()));
}

}  // namespace poki::missions
