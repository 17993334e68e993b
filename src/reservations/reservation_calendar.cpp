#include "poki/reservations/reservation_calendar.hpp"

#include <algorithm>

#include "poki/reservations/reservation_plan.hpp"
#include "poki/reservations/reservation_repository.hpp"
#include "poki/schedule/time_zones.hpp"

namespace poki::reservations {
namespace {

// A family keeps at most reservations.max_per_family; this bounds a read whatever it is set to.
constexpr int max_series = 2000;

std::vector<std::int64_t> ids_of(const std::vector<reservation>& list) {
    std::vector<std::int64_t> ids;
    ids.reserve(list.size());
    for (const auto& r : list) {
        ids.push_back(r.id);
    }
    return ids;
}

}  // namespace

void declare_calendar_statements(db::pool& database) {
    reservation_repository::declare_statements(database);
}

awaitable<std::vector<planned_series>> series_from(db::read_pipeline& reads, std::int64_t family_id,
                                                   std::optional<std::int64_t> child_id,
                                                   std::chrono::sys_seconds from) {
    // Records before the window do not matter: the cursor is at or before now, and what lies
    // ahead of it in the window is computed. A local date is at most 14 hours from UTC's, so
    // two days before the UTC date covers the day before the window in every zone.
    const auto from_date =
        date::local_days{date::floor<date::days>(from).time_since_epoch()} - date::days{2};
    auto plans =
        co_await reservation_repository::active(reads, family_id, child_id, from_date, max_series);
    std::vector<planned_series> out;
    out.reserve(plans.list.size());
    for (std::size_t i = 0; i < plans.list.size(); ++i) {
        out.push_back({std::move(plans.list[i]), std::move(plans.records[i])});
    }
    co_return out;
}

std::vector<planned_occurrence> upcoming_between(std::span<const planned_series> series,
                                                 const date::time_zone& zone,
                                                 std::chrono::sys_seconds from,
                                                 std::chrono::sys_seconds to, std::size_t limit) {
    std::vector<planned_occurrence> out;
    for (const auto& [r, records] : series) {
        const plan_input plan{r.when, zone, records};
        for (auto& o : occurrences_between(plan, r.cursor, from, to, limit)) {
            if (!o.state) {
                out.push_back({r.id, r.mission.child_id, r.mission.title, r.mission.reward, o});
            }
        }
    }
    std::stable_sort(out.begin(), out.end(),
                     [](const auto& a, const auto& b) { return a.at.at < b.at.at; });
    if (out.size() > limit) {
        out.resize(limit);
    }
    return out;
}

std::vector<planned_series> active_series(pqxx::transaction_base& tx, std::int64_t family_id,
                                          std::optional<std::int64_t> child_id) {
    auto list = reservation_repository::active(tx, family_id, child_id, max_series);
    if (list.empty()) {
        return {};
    }
    auto first = date::local_days::max();
    for (const auto& r : list) {
        first = std::min(first, r.when.starts_on);
    }
    const auto ids = ids_of(list);
    auto records = reservation_repository::records(tx, ids, first);
    std::vector<planned_series> out;
    out.reserve(list.size());
    for (std::size_t i = 0; i < list.size(); ++i) {
        out.push_back({std::move(list[i]), std::move(records[i])});
    }
    return out;
}

}  // namespace poki::reservations
