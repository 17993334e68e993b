#include "poki/calendar/calendar_types.hpp"

#include <algorithm>

namespace poki::calendar {

std::string_view to_string(item_kind k) noexcept {
    switch (k) {
        case item_kind::event:
            return "event";
        case item_kind::mission:
            return "mission";
        case item_kind::reservation:
            return "reservation";
        case item_kind::gift_day:
            return "gift_day";
    }
    return "event";
}

bool family_event::is_for(std::int64_t user_id) const {
    return member_ids.empty() ||
           std::find(member_ids.begin(), member_ids.end(), user_id) != member_ids.end();
}

}  // namespace poki::calendar
