#include "poki/reservations/reservation_plan.hpp"

#include <algorithm>
#include <map>

#include "poki/schedule/time_zones.hpp"

namespace poki::reservations {
namespace {

using std::chrono::sys_seconds;

constexpr date::years look_ahead{5};

occurrence from_rule(const plan_input& plan, date::local_days day) {
    const auto local = date::local_seconds{day} + plan.when.at;
    return occurrence{day,          local, schedule::to_instant(plan.zone, local),
                      std::nullopt, false, std::nullopt};
}

occurrence from_record(const plan_input& plan, const occurrence_record& r) {
    const auto local = r.moved_to.value_or(date::local_seconds{r.on_date} + plan.when.at);
    std::optional<occurrence_state> state = r.state;
    if (r.state == occurrence_state::moved) {
        state = std::nullopt;  // still ahead, at its new time
    }
    return occurrence{
        r.on_date,   local, schedule::to_instant(plan.zone, local), state, r.moved_to.has_value(),
        r.mission_id};
}

std::map<date::local_days, const occurrence_record*> by_date(
    std::span<const occurrence_record> records) {
    std::map<date::local_days, const occurrence_record*> out;
    for (const auto& r : records) {
        out.emplace(r.on_date, &r);
    }
    return out;
}

bool earlier(const occurrence& a, const occurrence& b) {
    return a.at < b.at;
}

/// The rule's dates without a record whose instants lie in (after, through], ascending, up
/// to `limit` of them. A day either side of the window covers any zone's offset.
std::vector<occurrence> unrecorded(const plan_input& plan, sys_seconds after, sys_seconds through,
                                   std::size_t limit) {
    const auto recorded = by_date(plan.records);
    const auto first_day = schedule::local_date(plan.zone, after) - date::days{1};
    const auto last_day = schedule::local_date(plan.zone, through) + date::days{1};
    std::vector<occurrence> out;
    schedule::for_each_date(plan.when, last_day, [&](date::local_days day) {
        if (day < first_day || recorded.contains(day)) {
            return true;
        }
        auto o = from_rule(plan, day);
        if (o.at > after && o.at <= through) {
            out.push_back(o);
        }
        return out.size() < limit;
    });
    return out;
}

}  // namespace

std::vector<occurrence> pending_between(const plan_input& plan, sys_seconds after,
                                        sys_seconds through, std::size_t limit) {
    auto out = unrecorded(plan, after, through, limit);
    for (const auto& r : plan.records) {
        if (r.state != occurrence_state::moved) {
            continue;
        }
        auto o = from_record(plan, r);
        if (o.at <= through) {  // a moved one is pending until it happens, wherever it was
            out.push_back(o);
        }
    }
    std::stable_sort(out.begin(), out.end(), earlier);
    if (out.size() > limit) {
        out.resize(limit);
    }
    return out;
}

std::optional<occurrence> next_pending(const plan_input& plan, sys_seconds after) {
    const sys_seconds horizon{after + std::chrono::duration_cast<std::chrono::seconds>(look_ahead)};
    auto next = pending_between(plan, after, horizon, 1);
    if (next.empty()) {
        return std::nullopt;
    }
    return next.front();
}

std::vector<occurrence> occurrences_between(const plan_input& plan, sys_seconds cursor,
                                            sys_seconds from, sys_seconds to, std::size_t limit) {
    // What is still ahead is after the cursor; before it only records say what happened.
    const auto ahead_from = std::max(cursor, from - std::chrono::seconds{1});
    auto out = unrecorded(plan, ahead_from, to - std::chrono::seconds{1}, limit);
    for (const auto& r : plan.records) {
        auto o = from_record(plan, r);
        if (o.at >= from && o.at < to) {
            out.push_back(o);
        }
    }
    std::stable_sort(out.begin(), out.end(), earlier);
    if (out.size() > limit) {
        out.resize(limit);
    }
    return out;
}

catch_up apply_catch_up(std::vector<occurrence> due, std::optional<int> due_minutes,
                        sys_seconds now) {
    catch_up out;
    if (due.empty()) {
        return out;
    }
    auto latest = due.back();
    due.pop_back();
    const bool still_doable = !due_minutes || latest.at + std::chrono::minutes{*due_minutes} > now;
    if (still_doable) {
        out.activate = latest;
    } else {
        due.push_back(latest);
    }
    out.missed = std::move(due);
    return out;
}

}  // namespace poki::reservations
