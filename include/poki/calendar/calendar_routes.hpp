// HTTP for the family calendar: events, the timeline and the iCalendar feed.
#pragma once

#include "poki/auth/auth_service.hpp"
#include "poki/calendar/calendar_service.hpp"
#include "poki/http/router.hpp"

namespace poki::calendar {

void add_calendar_routes(http::router& routes, calendar_service& calendar,
                         auth::auth_service& auth);

}  // namespace poki::calendar
