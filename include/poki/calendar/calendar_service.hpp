// The family calendar: events parents plan (once or repeating, for some members or all),
// one timeline of events, missions by due time, reservations ahead and gift days, and each
// member's secret iCalendar feed of the same.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "poki/calendar/calendar_types.hpp"
#include "poki/core/principal.hpp"
#include "poki/core/request_key.hpp"
#include "poki/db/pool.hpp"
#include "poki/db/read_pipeline.hpp"
#include "poki/notify/event_service.hpp"

namespace poki::calendar {

class calendar_service {
  public:
    calendar_service(db::pool& database, db::read_pipeline& reads, notify::event_service& events);

    /// Parents. The answer is the event's JSON.
    awaitable<keyed_answer> create_event(principal who, new_event input,
                                         std::optional<request_key> key = std::nullopt);
    /// Parents, and the members it is for.
    awaitable<family_event> get_event(principal who, std::int64_t id);
    awaitable<family_event> update_event(principal who, std::int64_t id, event_change change);
    awaitable<void> remove_event(principal who, std::int64_t id);

    /// [from, to), at most a year: parents see the family's, a child their own.
    awaitable<calendar_view> range(principal who, std::chrono::sys_seconds from,
                                   std::chrono::sys_seconds to);

    /// A new secret feed path for the caller ("/ical/<token>.ics"); the old one stops working.
    awaitable<std::string> replace_feed(principal who);
    /// The feed whose token this is; errc::not_found when there is none.
    awaitable<feed> feed_of(std::string token);

  private:
    db::pool& database_;
    db::read_pipeline& reads_;
    notify::event_service& events_;
};

}  // namespace poki::calendar
