#include "poki/calendar/calendar_service.hpp"

#include <algorithm>

#include <boost/asio/experimental/awaitable_operators.hpp>

#include "poki/calendar/calendar_json.hpp"
#include "poki/calendar/calendar_repository.hpp"
#include "poki/calendar/calendar_timeline.hpp"
#include "poki/core/crypto.hpp"
#include "poki/core/error.hpp"
#include "poki/core/timestamp.hpp"
#include "poki/family/family_lookup.hpp"
#include "poki/grapes/board_calendar.hpp"
#include "poki/missions/mission_calendar.hpp"
#include "poki/reservations/reservation_calendar.hpp"
#include "poki/schedule/time_zones.hpp"

namespace poki::calendar {
namespace {

using std::chrono::sys_seconds;

constexpr int max_events_per_family = 1000;
constexpr std::size_t max_items = 2000;
constexpr std::size_t feed_token_bytes = 32;
// What the feed carries besides the series: missions due from a month back, a year of gift days.
constexpr auto feed_missions_back = std::chrono::days{31};
constexpr auto feed_missions_ahead = std::chrono::days{366};
constexpr auto feed_gift_days_back = std::chrono::days{366};
constexpr int feed_missions_limit = 500;
constexpr int feed_tz_years_ahead = 10;

error no_such_event() {
    return error{errc::not_found, "No such event."};
}

family_event visible(std::optional<family_event> found, const principal& who) {
    if (!found || found->family_id != who.family_id ||
        (who.role == role::child && !found->is_for(who.user_id))) {
        throw no_such_event();
    }
    return std::move(*found);
}

/// What a change must still be once merged: members of the family, a start before the end,
/// a repeat that gives at least one date.
void check(pqxx::transaction_base& tx, std::int64_t family_id, const new_event& e) {
    const auto members = family::member_ids(tx, family_id);
    for (const auto id : e.member_ids) {
        if (!std::binary_search(members.begin(), members.end(), id)) {
            throw error::validation("member_ids", "unknown_member",
                                    "Every member_ids entry must be a member of your family.");
        }
    }
    const auto day = date::floor<date::days>(e.starts);
    if (e.repeat.until && *e.repeat.until < day) {
        throw error::validation("repeat.until", "before_start", "Must not lie before start.");
    }
    if (!first_date({day, e.starts - day, e.repeat})) {
        throw error::validation("repeat", "no_occurrence", "This repeat never happens.");
    }
}

/// `calendar.changed` to the parents and everyone the event is (or, before a change, was) for.
std::vector<notify::event_draft> changed(pqxx::transaction_base& tx, const family_event& e,
                                         const family_event* before = nullptr) {
    const auto everyone = e.member_ids.empty() || (before != nullptr && before->member_ids.empty());
    auto recipients =
        family::member_ids(tx, e.family_id, everyone ? std::nullopt : std::optional{role::parent});
    if (!everyone) {
        recipients.insert(recipients.end(), e.member_ids.begin(), e.member_ids.end());
        if (before != nullptr) {
            recipients.insert(recipients.end(), before->member_ids.begin(),
                              before->member_ids.end());
        }
        std::sort(recipients.begin(), recipients.end());
        recipients.erase(std::unique(recipients.begin(), recipients.end()), recipients.end());
    }
    return family::drafts_for(recipients, "calendar.changed", {{"kind", "event"}, {"id", e.id}});
}

new_event merged(const family_event& e, event_change change) {
    new_event out{e.title, e.note, e.location, e.all_day, e.starts, e.ends, e.repeat, e.member_ids};
    if (change.title) {
        out.title = std::move(*change.title);
    }
    if (change.note) {
        out.note = std::move(*change.note);
    }
    if (change.location) {
        out.location = std::move(*change.location);
    }
    if (change.time) {
        out.all_day = change.time->all_day;
        out.starts = change.time->starts;
        out.ends = change.time->ends;
    }
    if (change.repeat) {
        out.repeat = *change.repeat;
    }
    if (change.member_ids) {
        out.member_ids = std::move(*change.member_ids);
    }
    return out;
}

calendar_item mission_item(const missions::due_mission& m) {
    calendar_item item;
    item.kind = item_kind::mission;
    item.id = m.id;
    item.child_id = m.child_id;
    item.title = m.title;
    item.start = m.due_at;
    item.status = m.status;
    item.reward = m.reward;
    return item;
}

calendar_item reservation_item(const reservations::planned_occurrence& p) {
    calendar_item item;
    item.kind = item_kind::reservation;
    item.id = p.reservation_id;
    item.child_id = p.child_id;
    item.title = p.title;
    item.start = p.at.at;
    item.local_start = p.at.local_at;
    item.on_date = p.at.on_date;
    item.reward = p.reward;
    item.moved = p.at.moved;
    return item;
}

calendar_item gift_item(const grapes::gift_day& g, const date::time_zone& zone) {
    calendar_item item;
    item.kind = item_kind::gift_day;
    item.id = g.board_id;
    item.child_id = g.child_id;
    item.title = g.gift_name.value_or("");
    item.start = g.redeemed_at;
    item.on_date = date::floor<date::days>(schedule::to_local(zone, g.redeemed_at));
    return item;
}

/// Everything the member sees in [from, to), read, as one timeline by start.
calendar_view timeline(std::string time_zone, const date::time_zone& zone,
                       const std::vector<family_event>& events,
                       const std::vector<missions::due_mission>& due,
                       const std::vector<reservations::planned_occurrence>& planned,
                       const std::vector<grapes::gift_day>& gifts, sys_seconds from,
                       sys_seconds to) {
    calendar_view view;
    view.time_zone = std::move(time_zone);
    for (const auto& e : events) {
        auto items = event_occurrences(e, zone, from, to, max_items + 1);
        view.items.insert(view.items.end(), std::make_move_iterator(items.begin()),
                          std::make_move_iterator(items.end()));
    }
    for (const auto& m : due) {
        view.items.push_back(mission_item(m));
    }
    for (const auto& p : planned) {
        view.items.push_back(reservation_item(p));
    }
    for (const auto& g : gifts) {
        view.items.push_back(gift_item(g, zone));
    }
    std::stable_sort(
        view.items.begin(), view.items.end(),
        [](const calendar_item& a, const calendar_item& b) { return a.start < b.start; });
    if (view.items.size() > max_items) {
        view.items.resize(max_items);
        view.truncated = true;
    }
    return view;
}

std::string token_hash(std::string_view token) {
    return crypto::base64url_encode(crypto::sha256(token));
}

}  // namespace

calendar_service::calendar_service(db::pool& database, db::read_pipeline& reads,
                                   notify::event_service& events)
    : database_{database}, reads_{reads}, events_{events} {
    calendar_repository::declare_statements(database_);
    family::declare_lookup_statements(database_);
    missions::declare_calendar_statements(database_);
    grapes::declare_calendar_statements(database_);
    reservations::declare_calendar_statements(database_);
}

awaitable<keyed_answer> calendar_service::create_event(principal who, new_event input,
                                                       std::optional<request_key> key) {
    require_parent(who);
    auto plan = [who, input = std::move(input)](pqxx::work& tx, notify::event_log& log) {
        if (calendar_repository::kept(tx, who.family_id) >= max_events_per_family) {
            throw error{errc::conflict, "too_many_events",
                        "Your family keeps " + std::to_string(max_events_per_family) +
                            " events at most: delete one first."};
        }
        check(tx, who.family_id, input);
        auto e = calendar_repository::insert(tx, who.family_id, who.user_id, input);
        log.record(changed(tx, e));
        return e;
    };
    auto answer = [](const family_event& e) { return event_json(e); };
    co_return co_await events_.write_once(std::move(key), std::move(plan), std::move(answer));
}

awaitable<family_event> calendar_service::get_event(principal who, std::int64_t id) {
    auto read = [who, id](pqxx::connection& c) {
        pqxx::read_transaction tx{c};
        return visible(calendar_repository::find(tx, id), who);
    };
    co_return co_await database_.run(std::move(read));
}

awaitable<family_event> calendar_service::update_event(principal who, std::int64_t id,
                                                       event_change change) {
    require_parent(who);
    auto edit = [who, id, change = std::move(change)](pqxx::work& tx, notify::event_log& log) {
        const auto current = visible(calendar_repository::lock(tx, id), who);
        const auto next = merged(current, change);
        check(tx, who.family_id, next);
        auto saved = calendar_repository::save(tx, current, next);
        log.record(changed(tx, saved, &current));  // those it no longer is for drop it
        return saved;
    };
    co_return co_await events_.write(std::move(edit));
}

awaitable<void> calendar_service::remove_event(principal who, std::int64_t id) {
    require_parent(who);
    auto erase = [who, id](pqxx::work& tx, notify::event_log& log) {
        const auto e = visible(calendar_repository::lock(tx, id), who);
        calendar_repository::remove(tx, id);
        log.record(changed(tx, e));
    };
    co_await events_.write(std::move(erase));
}

awaitable<calendar_view> calendar_service::range(principal who, sys_seconds from, sys_seconds to) {
    // The four reads go out together through the pipeline: one round trip for all of them
    // (shared with other requests'), and no pool thread waits on them.
    std::optional<std::int64_t> own;
    if (who.role == role::child) {
        own = who.user_id;
    }
    const int limit = static_cast<int>(max_items) + 1;
    using namespace boost::asio::experimental::awaitable_operators;
    auto [family, due, series, gifts] = co_await (
        calendar_repository::family_calendar(reads_, who.family_id, own, max_events_per_family) &&
        missions::due_between(reads_, who.family_id, own, from, to, limit) &&
        reservations::series_from(reads_, who.family_id, own, from) &&
        grapes::redeemed_between(reads_, who.family_id, own, from, to, limit));
    const auto& zone = schedule::stored_zone(family.time_zone);
    const auto planned = reservations::upcoming_between(series, zone, from, to, max_items + 1);
    co_return timeline(std::move(family.time_zone), zone, family.events, due, planned, gifts, from,
                       to);
}

awaitable<std::string> calendar_service::replace_feed(principal who) {
    const auto token = crypto::base64url_encode(crypto::random_bytes(feed_token_bytes));
    auto store = [user = who.user_id, hash = token_hash(token)](pqxx::connection& c) {
        pqxx::work tx{c};
        calendar_repository::set_feed(tx, user, hash);
        tx.commit();
    };
    co_await database_.run(std::move(store));
    co_return "/ical/" + token + ".ics";
}

awaitable<feed> calendar_service::feed_of(std::string token) {
    auto read = [hash = token_hash(token)](pqxx::connection& c) {
        pqxx::read_transaction tx{c};
        const auto owner = calendar_repository::feed_owner_of(tx, hash);
        if (!owner) {
            throw error{errc::not_found, "No such calendar feed."};
        }
        const auto& zone =
            schedule::stored_zone(calendar_repository::family_zone(tx, owner->family_id));
        const auto own = owner->child ? std::optional{owner->user_id} : std::nullopt;
        const auto now = now_in_seconds();
        const auto events =
            calendar_repository::in_family(tx, owner->family_id, own, max_events_per_family);
        const auto series = reservations::active_series(tx, owner->family_id, own);
        const auto due = missions::due_between(tx, owner->family_id, own, now - feed_missions_back,
                                               now + feed_missions_ahead, feed_missions_limit);
        const auto gifts =
            grapes::redeemed_between(tx, owner->family_id, own, now - feed_gift_days_back,
                                     now + std::chrono::days{1}, feed_missions_limit);
        const auto year =
            static_cast<int>(date::year_month_day{date::floor<date::days>(now)}.year());
        feed out;
        out.body = feed_text({zone, events, series, due, gifts, year + feed_tz_years_ahead});
        out.etag = "\"" + token_hash(out.body).substr(0, 27) + "\"";
        return out;
    };
    co_return co_await database_.run(std::move(read));
}

}  // namespace poki::calendar
