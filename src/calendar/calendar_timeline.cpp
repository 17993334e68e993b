#include "poki/calendar/calendar_timeline.hpp"

#include <algorithm>

#include "poki/calendar/ical.hpp"
#include "poki/core/timestamp.hpp"
#include "poki/schedule/time_zones.hpp"

namespace poki::calendar {
namespace {

using std::chrono::sys_seconds;

}  // namespace

std::optional<date::local_days> first_date(const schedule::recurrence& when) {
    std::optional<date::local_days> first;
    // Ten years bounds the search for a rule whose dates never come (the 31st of February).
    const auto horizon = when.starts_on + date::days{3653};
    schedule::for_each_date(when, horizon, [&](date::local_days d) {
        first = d;
        return false;
    });
    return first;
}

namespace {

calendar_item event_item(const family_event& e, const date::time_zone& zone,
                         date::local_seconds local_start) {
    calendar_item item;
    item.kind = item_kind::event;
    item.id = e.id;
    item.title = e.title;
    item.all_day = e.all_day;
    item.local_start = local_start;
    item.local_end = local_start + (e.ends - e.starts);
    item.start = schedule::to_instant(zone, *item.local_start);
    item.end = schedule::to_instant(zone, *item.local_end);
    item.on_date = date::floor<date::days>(local_start);
    item.location = e.location;
    item.member_ids = e.member_ids;
    return item;
}

sys_seconds parsed_instant(const std::string& rfc3339) {
    const auto t = parse_rfc3339(rfc3339);
    return t ? std::chrono::floor<std::chrono::seconds>(*t) : sys_seconds{};
}

/// Writes DTSTART and DTEND (or DURATION) lines for a local start.
void timed(ical::writer& out, const date::time_zone& zone, date::local_seconds start,
           date::local_seconds end) {
    const std::string tzid = ";TZID=" + zone.name();
    out.line("DTSTART" + tzid, ical::local_stamp(start));
    out.line("DTEND" + tzid, ical::local_stamp(end));
}

void all_day(ical::writer& out, date::local_days first, date::local_days after_last) {
    out.line("DTSTART;VALUE=DATE", ical::date_stamp(first));
    out.line("DTEND;VALUE=DATE", ical::date_stamp(after_last));
}

void write_event(ical::writer& out, const family_event& e, const date::time_zone& zone) {
    const auto when = e.when();
    const auto first = first_date(when);
    if (!first) {
        return;
    }
    const auto start = date::local_seconds{*first} + when.at;
    const auto length = e.ends - e.starts;
    out.begin("VEVENT");
    out.line("UID", "event-" + std::to_string(e.id) + "@poki");
    out.line("DTSTAMP", ical::utc_stamp(e.updated));
    if (e.all_day) {
        all_day(out, *first, date::floor<date::days>(start + length));
    } else {
        timed(out, zone, start, start + length);
    }
    if (const auto rule = ical::rrule(e.repeat, *first, when.at, zone, e.all_day)) {
        out.line("RRULE", *rule);
    }
    out.text("SUMMARY", e.title);
    if (!e.note.empty()) {
        out.text("DESCRIPTION", e.note);
    }
    if (e.location) {
        out.text("LOCATION", *e.location);
    }
    out.end("VEVENT");
}

std::chrono::minutes reservation_length(const reservations::reservation& r) {
    return std::chrono::minutes{r.mission.due_minutes.value_or(30)};
}

void write_reservation(ical::writer& out, const reservations::planned_series& s,
                       const date::time_zone& zone) {
    using reservations::occurrence_state;
    const auto& r = s.r;
    const auto first = first_date(r.when);
    if (!first) {
        return;
    }
    const auto stamp = ical::utc_stamp(parsed_instant(r.updated_at));
    const auto uid = "reservation-" + std::to_string(r.id);
    const auto start = date::local_seconds{*first} + r.when.at;
    out.begin("VEVENT");
    out.line("UID", uid + "@poki");
    out.line("DTSTAMP", stamp);
    timed(out, zone, start, start + reservation_length(r));
    if (const auto rule = ical::rrule(r.when.repeat, *first, r.when.at, zone, false)) {
        out.line("RRULE", *rule);
    }
    // Occurrences that became missions (the mission is its own entry), were missed, skipped
    // or moved are not in the series any more.
    for (const auto& rec : s.records) {
        out.line("EXDATE;TZID=" + zone.name(),
                 ical::local_stamp(date::local_seconds{rec.on_date} + r.when.at));
    }
    out.text("SUMMARY", r.mission.title);
    out.line("CATEGORIES", "POKI-RESERVATION");
    out.end("VEVENT");
    for (const auto& rec : s.records) {
        if (rec.state != occurrence_state::moved || !rec.moved_to) {
            continue;
        }
        out.begin("VEVENT");
        out.line("UID", uid + "-" + ical::date_stamp(rec.on_date) + "@poki");
        out.line("DTSTAMP", stamp);
        timed(out, zone, *rec.moved_to, *rec.moved_to + reservation_length(r));
        out.text("SUMMARY", r.mission.title);
        out.line("CATEGORIES", "POKI-RESERVATION");
        out.end("VEVENT");
    }
}

void write_mission(ical::writer& out, const missions::due_mission& m) {
    out.begin("VEVENT");
    out.line("UID", "mission-" + std::to_string(m.id) + "@poki");
    out.line("DTSTAMP", ical::utc_stamp(m.updated));
    out.line("DTSTART", ical::utc_stamp(m.due_at));
    out.line("DURATION", "PT15M");
    out.text("SUMMARY", "마감: " + m.title);
    out.line("CATEGORIES", "POKI-MISSION");
    out.end("VEVENT");
}

void write_gift_day(ical::writer& out, const grapes::gift_day& g, const date::time_zone& zone) {
    const auto day = schedule::local_date(zone, g.redeemed_at);
    out.begin("VEVENT");
    out.line("UID", "board-" + std::to_string(g.board_id) + "@poki");
    out.line("DTSTAMP", ical::utc_stamp(g.redeemed_at));
    all_day(out, day, day + date::days{1});
    out.text("SUMMARY", "선물 받는 날" + (g.gift_name ? ": " + *g.gift_name : std::string{}));
    out.line("CATEGORIES", "POKI-GIFT");
    out.end("VEVENT");
}

/// The earliest instant the feed's local times start at, for the VTIMEZONE's first observance.
sys_seconds earliest_start(const feed_input& in) {
    auto earliest = sys_seconds{date::sys_days{date::year{in.tz_through_year} / 1 / 1}};
    for (const auto& e : in.events) {
        earliest = std::min(earliest, schedule::to_instant(in.zone, e.starts));
    }
    for (const auto& s : in.reservations) {
        earliest = std::min(earliest,
                            schedule::to_instant(in.zone, date::local_seconds{s.r.when.starts_on}));
    }
    return earliest - std::chrono::days{1};
}

}  // namespace

std::vector<calendar_item> event_occurrences(const family_event& e, const date::time_zone& zone,
                                             sys_seconds from, sys_seconds to, std::size_t limit) {
    std::vector<calendar_item> out;
    const auto length = e.ends - e.starts;
    // An occurrence that starts before `from` may still run into it.
    const auto first_day =
        schedule::local_date(zone, from) - date::floor<date::days>(length) - date::days{1};
    const auto last_day = schedule::local_date(zone, to) + date::days{1};
    const auto when = e.when();
    schedule::for_each_date(when, last_day, [&](date::local_days day) {
        if (day < first_day) {
            return true;
        }
        auto item = event_item(e, zone, date::local_seconds{day} + when.at);
        if (item.start<to&& * item.end> from) {
            out.push_back(std::move(item));
        }
        return out.size() < limit;
    });
    return out;
}

std::string feed_text(const feed_input& in) {
    ical::writer out{"-//Poki//Family calendar//KO"};
    out.line("X-WR-CALNAME", "Poki");
    out.line("X-WR-TIMEZONE", in.zone.name());
    out.time_zone(in.zone, earliest_start(in),
                  sys_seconds{date::sys_days{date::year{in.tz_through_year} / 12 / 31}});
    for (const auto& e : in.events) {
        write_event(out, e, in.zone);
    }
    for (const auto& s : in.reservations) {
        write_reservation(out, s, in.zone);
    }
    for (const auto& m : in.missions) {
        write_mission(out, m);
    }
    for (const auto& g : in.gift_days) {
        write_gift_day(out, g, in.zone);
    }
    return std::move(out).finish();
}

}  // namespace poki::calendar
