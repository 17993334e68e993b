#include "poki/reservations/reservation_service.hpp"

#include <algorithm>
#include <iterator>
#include <span>

#include "poki/core/error.hpp"
#include "poki/core/log.hpp"
#include "poki/core/metrics.hpp"
#include "poki/core/periodic.hpp"
#include "poki/core/timestamp.hpp"
#include "poki/family/family_lookup.hpp"
#include "poki/missions/mission_assignments.hpp"
#include "poki/missions/mission_json.hpp"
#include "poki/reservations/reservation_json.hpp"
#include "poki/reservations/reservation_plan.hpp"
#include "poki/schedule/schedule_json.hpp"
#include "poki/schedule/time_zones.hpp"

namespace poki::reservations {
namespace {

using notify::event_draft;
using notify::push_text;
using std::chrono::sys_seconds;

constexpr std::size_t max_listed = 1000;
// Years of downtime with a daily reservation are at most a few thousand records.
constexpr std::size_t max_catch_up = 20000;
// A reservation whose activation failed is claimed again this much later.
constexpr std::chrono::minutes retry_after{5};

error no_such_reservation() {
    return error{errc::not_found, "No such reservation."};
}

/// The reservation if the caller may see it: parents their family's, a child their own.
reservation visible(std::optional<reservation> found, principal who) {
    if (!found || found->family_id != who.family_id ||
        (who.role == role::child && found->mission.child_id != who.user_id)) {
        throw no_such_reservation();
    }
    return std::move(*found);
}

/// The records a plan needs for one reservation.
std::vector<occurrence_record> records_of(pqxx::transaction_base& tx, const reservation& r,
                                          const date::time_zone& zone) {
    const std::int64_t ids[] = {r.id};
    auto found = reservation_repository::records(
        tx, ids, schedule::local_date(zone, r.cursor) - date::days{1});
    return std::move(found.front());
}

std::optional<sys_seconds> next_of(const reservation& r, const date::time_zone& zone,
                                   std::span<const occurrence_record> records) {
    if (r.paused) {
        return std::nullopt;
    }
    const auto next = next_pending(plan_input{r.when, zone, records}, r.cursor);
    if (!next) {
        return std::nullopt;
    }
    return next->at;
}

error nothing_ahead() {
    return error::validation("starts_on", "no_occurrence_ahead",
                             "Nothing of this schedule lies ahead: choose a later date or time.");
}

std::vector<std::int64_t> parents_of(pqxx::transaction_base& tx, std::int64_t family_id) {
    return family::member_ids(tx, family_id, role::parent);
}

/// `calendar.changed` to the parents and the child: open calendars load again.
std::vector<event_draft> calendar_changed(pqxx::transaction_base& tx, const reservation& r) {
    auto recipients = parents_of(tx, r.family_id);
    recipients.push_back(r.mission.child_id);
    return family::drafts_for(recipients, "calendar.changed",
                              {{"kind", "reservation"}, {"id", r.id}});
}

std::string reward_text(int reward) {
    return "포도 " + std::to_string(reward) + "알";
}

missions::new_mission mission_of(const reservation& r, const occurrence& o) {
    missions::new_mission m;
    m.child_id = r.mission.child_id;
    m.title = r.mission.title;
    m.description = r.mission.description;
    m.tag = r.mission.tag;
    m.reward = r.mission.reward;
    if (r.mission.due_minutes) {
        m.due_at = format_rfc3339(o.at + std::chrono::minutes{*r.mission.due_minutes});
    }
    return m;
}

occurrence_record record_of(const occurrence& o, occurrence_state state,
                            std::optional<std::int64_t> mission_id) {
    std::optional<date::local_seconds> moved_to;
    if (o.moved) {
        moved_to = o.local_at;
    }
    return occurrence_record{o.on_date, state, moved_to, mission_id};
}

/// Marks `o` in the plan's own copy of the records, so the next occurrence is computed
/// from what this transaction just wrote.
void note_record(std::vector<occurrence_record>& records, const occurrence_record& r) {
    const auto at = std::find_if(records.begin(), records.end(), [&](const occurrence_record& x) {
        return x.on_date == r.on_date;
    });
    if (at != records.end()) {
        *at = r;
    } else {
        records.push_back(r);
    }
}

struct activation {
    std::int64_t made = 0;
    std::int64_t missed = 0;
};

/// What a batch writes, gathered before writing so each kind is one statement.
struct batch_writes {
    std::vector<reservation_repository::outcome> outcomes;
    std::vector<reservation_repository::progress> moves;
    std::vector<missions::assignment> assignments;
    /// For each assignment: its reservation, and its record in `outcomes`.
    std::vector<std::pair<const reservation*, std::size_t>> made_for;
};

/// One claimed reservation's due occurrences, decided under its row lock.
void plan_one(pqxx::transaction_base& tx, reservation_repository::claimed& c,
              std::vector<occurrence_record>& records, sys_seconds now, batch_writes& out,
              activation& done) {
    auto& r = c.r;
    if (!c.child_active) {  // the child left the family: the reservation ends
        (void)reservation_repository::save(tx, r, std::nullopt);
        return;
    }
    const auto& zone = schedule::stored_zone(r.time_zone);
    auto due = apply_catch_up(
        pending_between(plan_input{r.when, zone, records}, r.cursor, now, max_catch_up),
        r.mission.due_minutes, now);
    for (const auto& o : due.missed) {
        const auto missed = record_of(o, occurrence_state::missed, std::nullopt);
        out.outcomes.push_back({r.id, missed});
        note_record(records, missed);
        ++done.missed;
    }
    if (due.activate) {
        // The mission's id is known once the batch's missions are inserted.
        const auto made = record_of(*due.activate, occurrence_state::activated, std::nullopt);
        out.made_for.emplace_back(&r, out.outcomes.size());
        out.assignments.push_back({r.family_id, r.created_by, mission_of(r, *due.activate)});
        out.outcomes.push_back({r.id, made});
        note_record(records, made);
        ++done.made;
    }
    r.cursor = std::max(r.cursor, now);
    out.moves.push_back({r.id, r.cursor, next_of(r, zone, records)});
}

/// `mission.activated` to each new mission's child (pushed when offline) and parents.
void tell_made(pqxx::transaction_base& tx, const batch_writes& writes,
               const std::vector<missions::mission>& made, std::vector<event_draft>& drafts) {
    std::vector<std::int64_t> families;
    for (const auto& [r, at] : writes.made_for) {
        families.push_back(r->family_id);
    }
    const auto parents = family::parents_of(tx, families);
    for (std::size_t k = 0; k < made.size(); ++k) {
        const auto& m = made[k];
        const auto& r = *writes.made_for[k].first;
        const nlohmann::json data{{"mission", missions::mission_json(m)}, {"reservation_id", r.id}};
        drafts.push_back(event_draft{
            m.child_id, "mission.activated", data,
            push_text{"새 미션이 도착했어요", m.title + " · " + reward_text(m.reward)}});
        for (auto& d : family::drafts_for(parents.at(r.family_id), "mission.activated", data)) {
            drafts.push_back(std::move(d));
        }
    }
}

/// Claimed reservations' due occurrences, under their row locks: every mission, record and
/// move of the batch is one statement each. The events to record go into `drafts`.
activation activate(pqxx::transaction_base& tx, std::span<reservation_repository::claimed> batch,
                    std::span<std::vector<occurrence_record>> records, sys_seconds now,
                    std::vector<event_draft>& drafts) {
    activation done;
    batch_writes writes;
    for (std::size_t i = 0; i < batch.size(); ++i) {
        plan_one(tx, batch[i], records[i], now, writes, done);
    }
    const auto made = missions::assign_all(tx, writes.assignments);
    for (std::size_t k = 0; k < made.size(); ++k) {
        writes.outcomes[writes.made_for[k].second].record.mission_id = made[k].id;
    }
    reservation_repository::record(tx, writes.outcomes);
    reservation_repository::advance(tx, writes.moves);
    if (!made.empty()) {
        tell_made(tx, writes, made, drafts);
    }
    return done;
}

}  // namespace

reservation_service::reservation_service(db::pool& database, db::read_pipeline& reads,
                                         notify::event_service& events,
                                         const reservations_config& config)
    : database_{database}, reads_{reads}, events_{events}, config_{config} {
    reservation_repository::declare_statements(database_);
    family::declare_lookup_statements(database_);
    missions::declare_assignment_statements(database_);
}

awaitable<keyed_answer> reservation_service::create(principal who, new_reservation input,
                                                    std::optional<request_key> key) {
    require_parent(who);
    const auto most = config_.max_per_family;
    auto plan = [who, most, input = std::move(input)](pqxx::work& tx, notify::event_log& log) {
        family::require_child(tx, who.family_id, input.mission.child_id);
        if (reservation_repository::kept(tx, who.family_id) >= most) {
            throw error{errc::conflict, "too_many_reservations",
                        "Your family keeps " + std::to_string(most) +
                            " reservations at most: delete one first."};
        }
        const auto& zone =
            schedule::stored_zone(reservation_repository::family_zone(tx, who.family_id));
        const auto now = now_in_seconds();
        const auto next = next_pending(plan_input{input.when, zone, {}}, now);
        if (!next) {
            throw nothing_ahead();
        }
        auto r =
            reservation_repository::insert(tx, who.family_id, who.user_id, input, now, next->at);
        log.record(calendar_changed(tx, r));
        return r;
    };
    auto answer = [](const reservation& r) { return reservation_json(r); };
    co_return co_await events_.write_once(std::move(key), std::move(plan), std::move(answer));
}

awaitable<reservation_page> reservation_service::list(principal who, reservation_filter filter) {
    if (who.role == role::child) {
        if (filter.child_id && *filter.child_id != who.user_id) {
            throw error{errc::forbidden, "A child sees only their own reservations."};
        }
        filter.child_id = who.user_id;
    }
    auto page = co_await reservation_repository::list(reads_, who.family_id, filter);
    if (!page) {
        throw error{errc::not_found, "No such child in your family."};
    }
    co_return std::move(*page);
}

awaitable<reservation> reservation_service::get(principal who, std::int64_t id) {
    co_return visible(co_await reservation_repository::find(reads_, id), who);
}

namespace {

void apply(reservation& r, const reservation_patch& patch) {
    if (patch.title) {
        r.mission.title = *patch.title;
    }
    if (patch.description) {
        r.mission.description = *patch.description;
    }
    if (patch.tag) {
        r.mission.tag = *patch.tag;
    }
    if (patch.reward) {
        r.mission.reward = *patch.reward;
    }
    if (patch.due_minutes) {
        r.mission.due_minutes = *patch.due_minutes;
    }
}

}  // namespace

awaitable<reservation> reservation_service::update(principal who, std::int64_t id,
                                                   reservation_patch patch) {
    require_parent(who);
    auto edit = [who, id, patch = std::move(patch)](pqxx::work& tx, notify::event_log& log) {
        auto r = visible(reservation_repository::lock(tx, id), who);
        const auto& zone = schedule::stored_zone(r.time_zone);
        const auto now = now_in_seconds();
        apply(r, patch);
        r.cursor = std::max(r.cursor, now);
        if (patch.when && *patch.when != r.when) {
            reservation_repository::forget_changes(tx, r.id, schedule::local_date(zone, now));
            r.when = *patch.when;
        }
        const auto records = records_of(tx, r, zone);
        const auto next = next_of(r, zone, records);
        if (patch.when && !r.paused && !next) {
            throw nothing_ahead();
        }
        auto saved = reservation_repository::save(tx, r, next);
        log.record(calendar_changed(tx, saved));
        return saved;
    };
    co_return co_await events_.write(std::move(edit));
}

awaitable<reservation> reservation_service::pause(principal who, std::int64_t id) {
    require_parent(who);
    auto hold = [who, id](pqxx::work& tx, notify::event_log& log) {
        auto r = visible(reservation_repository::lock(tx, id), who);
        if (r.paused) {
            return r;
        }
        r.paused = true;
        auto saved = reservation_repository::save(tx, r, std::nullopt);
        log.record(calendar_changed(tx, saved));
        return saved;
    };
    co_return co_await events_.write(std::move(hold));
}

awaitable<reservation> reservation_service::resume(principal who, std::int64_t id) {
    require_parent(who);
    auto go_on = [who, id](pqxx::work& tx, notify::event_log& log) {
        auto r = visible(reservation_repository::lock(tx, id), who);
        if (!r.paused) {
            return r;
        }
        const auto& zone = schedule::stored_zone(r.time_zone);
        r.paused = false;
        r.cursor = std::max(r.cursor, now_in_seconds());  // what fell in the pause does not happen
        const auto records = records_of(tx, r, zone);
        auto saved = reservation_repository::save(tx, r, next_of(r, zone, records));
        log.record(calendar_changed(tx, saved));
        return saved;
    };
    co_return co_await events_.write(std::move(go_on));
}

awaitable<void> reservation_service::remove(principal who, std::int64_t id) {
    require_parent(who);
    auto erase = [who, id](pqxx::work& tx, notify::event_log& log) {
        const auto r = visible(reservation_repository::lock(tx, id), who);
        reservation_repository::remove(tx, id);
        log.record(calendar_changed(tx, r));
    };
    co_await events_.write(std::move(erase));
}

awaitable<std::vector<occurrence>> reservation_service::occurrences(principal who, std::int64_t id,
                                                                    sys_seconds from,
                                                                    sys_seconds to) {
    auto read = [who, id, from, to](pqxx::connection& c) {
        pqxx::read_transaction tx{c};
        const auto r = visible(reservation_repository::find(tx, id), who);
        const auto& zone = schedule::stored_zone(r.time_zone);
        const std::int64_t ids[] = {r.id};
        const auto first =
            std::min(schedule::local_date(zone, from), schedule::local_date(zone, r.cursor));
        const auto records = reservation_repository::records(tx, ids, first - date::days{1});
        return occurrences_between(plan_input{r.when, zone, records.front()}, r.cursor, from, to,
                                   max_listed);
    };
    co_return co_await database_.run(std::move(read));
}

namespace {

/// Refuses a change to an occurrence that is not ahead: not one of the rule's dates, or
/// already made or missed.
void require_ahead(const reservation& r, std::span<const occurrence_record> records,
                   const date::time_zone& zone, date::local_days day, sys_seconds now) {
    if (!schedule::happens_on(r.when, day)) {
        throw error{errc::not_found, "no_such_occurrence",
                    "The reservation has no occurrence on " + schedule::format_date(day) + "."};
    }
    const auto rec = std::find_if(records.begin(), records.end(),
                                  [&](const occurrence_record& x) { return x.on_date == day; });
    const bool recorded_done = rec != records.end() && (rec->state == occurrence_state::activated ||
                                                        rec->state == occurrence_state::missed);
    const auto at = schedule::to_instant(zone, date::local_seconds{day} + r.when.at);
    const bool passed = rec == records.end() && at <= std::max(r.cursor, now);
    if (recorded_done || passed) {
        throw error::conflict_in_state("That occurrence has already happened.", "happened");
    }
}

}  // namespace

awaitable<reservation> reservation_service::change_occurrence(principal who, std::int64_t id,
                                                              occurrence_change change) {
    require_parent(who);
    auto decide = [who, id, change](pqxx::work& tx, notify::event_log& log) {
        auto r = visible(reservation_repository::lock(tx, id), who);
        const auto& zone = schedule::stored_zone(r.time_zone);
        const auto now = now_in_seconds();
        auto records = records_of(tx, r, zone);
        require_ahead(r, records, zone, change.on_date, now);
        if (change.move_to && schedule::to_instant(zone, *change.move_to) <= now) {
            throw error::validation("to", "in_the_past", "Must lie in the future.");
        }
        const occurrence_record decided{
            change.on_date, change.move_to ? occurrence_state::moved : occurrence_state::skipped,
            change.move_to, std::nullopt};
        if (!reservation_repository::record_change(tx, r.id, decided)) {
            throw error::conflict_in_state("That occurrence has already happened.", "happened");
        }
        note_record(records, decided);
        auto saved = reservation_repository::save(tx, r, next_of(r, zone, records));
        log.record(calendar_changed(tx, saved));
        return saved;
    };
    co_return co_await events_.write(std::move(decide));
}

namespace {

/// Where a batch starts reading occurrence records: a day before the earliest cursor.
date::local_days records_from(const std::vector<reservation_repository::claimed>& claimed) {
    auto from = date::local_days::max();
    for (const auto& c : claimed) {
        const auto* zone = schedule::find_zone(c.r.time_zone);
        const auto cursor =
            zone != nullptr
                ? schedule::local_date(*zone, c.r.cursor)
                : date::floor<date::days>(date::local_seconds{c.r.cursor.time_since_epoch()});
        from = std::min(from, cursor - date::days{1});
    }
    return from;
}

}  // namespace

awaitable<reservation_service::batch_result> reservation_service::activate_batch(bool careful) {
    const auto size = config_.activation_batch;
    auto step = [size, careful](pqxx::work& tx, notify::event_log& log) {
        auto claimed = reservation_repository::claim_due(tx, size);
        batch_result result{static_cast<std::int64_t>(claimed.size()), 0, 0};
        if (claimed.empty()) {
            return result;
        }
        const auto now = now_in_seconds();
        std::vector<std::int64_t> ids;
        ids.reserve(claimed.size());
        for (const auto& c : claimed) {
            ids.push_back(c.r.id);
        }
        auto records = reservation_repository::records(tx, ids, records_from(claimed));
        // Every event of the batch is recorded by one call at the end: it locks the event
        // counters in one order, so two instances' batches never deadlock on them.
        std::vector<event_draft> drafts;
        activation done;
        if (!careful) {
            done = activate(tx, claimed, records, now, drafts);
        }
        for (std::size_t i = 0; careful && i < claimed.size(); ++i) {
            // One reservation that cannot be activated must not hold up the others: its
            // part rolls back to a savepoint and it is claimed again later.
            try {
                pqxx::subtransaction sub{tx, "activation"};
                std::vector<event_draft> own;
                const auto one = activate(sub, std::span{claimed}.subspan(i, 1),
                                          std::span{records}.subspan(i, 1), now, own);
                sub.commit();
                done.made += one.made;
                done.missed += one.missed;
                std::move(own.begin(), own.end(), std::back_inserter(drafts));
            } catch (const std::exception& e) {
                log::error("reservation activation failed",
                           {{"reservation", claimed[i].r.id}, {"error", e.what()}});
                reservation_repository::postpone(tx, claimed[i].r.id, now + retry_after);
            }
        }
        result.made = done.made;
        result.missed = done.missed;
        if (!drafts.empty()) {
            log.record(std::move(drafts));
        }
        return result;
    };
    const auto result = co_await events_.write(std::move(step));
    activated_.fetch_add(static_cast<std::uint64_t>(result.made), std::memory_order_relaxed);
    missed_.fetch_add(static_cast<std::uint64_t>(result.missed), std::memory_order_relaxed);
    co_return result;
}

awaitable<std::int64_t> reservation_service::activate_due() {
    std::int64_t made = 0;
    for (;;) {
        // A batch that fails as a whole is run again reservation by reservation, so one
        // that cannot be made is set aside and the rest still happen.
        std::optional<batch_result> batch;
        try {
            batch = co_await activate_batch(false);
        } catch (const std::exception& e) {
            log::warn("reservation batch failed, retrying one by one", {{"error", e.what()}});
        }
        if (!batch) {
            batch = co_await activate_batch(true);
        }
        made += batch->made;
        if (batch->claimed < config_.activation_batch) {
            break;
        }
    }
    if (made > 0) {
        log::info("reservations activated", {{"missions", made}});
    }
    co_return made;
}

awaitable<void> reservation_service::run_activation(job_monitor& jobs) {
    // The closure lives in run_periodically's frame for as long as the job can run.
    std::function<awaitable<void>()> job = [this]() -> awaitable<void> { co_await activate_due(); };
    co_await run_periodically("reservation activation",
                              std::chrono::milliseconds{config_.activation_interval_ms},
                              std::move(job), jobs);
}

void reservation_service::rezone(pqxx::transaction_base& tx, std::int64_t family_id) {
    const auto now = now_in_seconds();
    for (auto& r : reservation_repository::lock_family(tx, family_id)) {
        const auto& zone = schedule::stored_zone(r.time_zone);
        r.cursor = std::max(r.cursor, now);
        const auto records = records_of(tx, r, zone);
        (void)reservation_repository::save(tx, r, next_of(r, zone, records));
    }
}

void reservation_service::render_metrics(std::string& out) const {
    append_metric_header(out, "poki_reservation_missions_total", "counter",
                         "Missions made from reservations' occurrences.");
    append_metric(out, "poki_reservation_missions_total", "",
                  static_cast<double>(activated_.load()));
    append_metric_header(out, "poki_reservation_missed_total", "counter",
                         "Occurrences recorded as missed by the catch-up rule.");
    append_metric(out, "poki_reservation_missed_total", "", static_cast<double>(missed_.load()));
}

}  // namespace poki::reservations
