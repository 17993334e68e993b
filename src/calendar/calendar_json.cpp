#include "poki/calendar/calendar_json.hpp"

#include "poki/core/timestamp.hpp"
#include "poki/schedule/schedule_json.hpp"

namespace poki::calendar {
namespace {

template <class T>
nlohmann::json or_null(const std::optional<T>& value) {
    return value ? nlohmann::json(*value) : nlohmann::json(nullptr);
}

nlohmann::json local_or_null(const std::optional<date::local_seconds>& t) {
    return t ? nlohmann::json(schedule::format_local_time(*t)) : nlohmann::json(nullptr);
}

}  // namespace

nlohmann::json event_json(const family_event& e) {
    nlohmann::json out{{"id", e.id},
                       {"title", e.title},
                       {"note", e.note},
                       {"location", or_null(e.location)},
                       {"all_day", e.all_day},
                       {"repeat", schedule::repeat_json(e.repeat)},
                       {"member_ids", e.member_ids},
                       {"time_zone", e.time_zone},
                       {"created_by", e.created_by},
                       {"created_at", e.created_at},
                       {"updated_at", e.updated_at}};
    if (e.all_day) {
        out["start"] = schedule::format_date(date::floor<date::days>(e.starts));
        out["end"] = schedule::format_date(date::floor<date::days>(e.ends) - date::days{1});
    } else {
        out["start"] = schedule::format_local_time(e.starts);
        out["end"] = schedule::format_local_time(e.ends);
    }
    return out;
}

nlohmann::json item_json(const calendar_item& item) {
    nlohmann::json out{{"kind", to_string(item.kind)},
                       {"id", item.id},
                       {"title", item.title},
                       {"start", format_rfc3339(item.start)},
                       {"end", item.end ? nlohmann::json(format_rfc3339(*item.end)) : nullptr},
                       {"all_day", item.all_day},
                       {"local_start", local_or_null(item.local_start)},
                       {"local_end", local_or_null(item.local_end)},
                       {"child_id", or_null(item.child_id)}};
    if (item.on_date) {
        out["on_date"] = schedule::format_date(*item.on_date);
    }
    switch (item.kind) {
        case item_kind::event:
            out["location"] = or_null(item.location);
            out["member_ids"] = item.member_ids;
            break;
        case item_kind::mission:
            out["status"] = or_null(item.status);
            out["reward"] = or_null(item.reward);
            break;
        case item_kind::reservation:
            out["reward"] = or_null(item.reward);
            out["moved"] = item.moved;
            break;
        case item_kind::gift_day:
            break;
    }
    return out;
}

nlohmann::json view_json(const calendar_view& view) {
    auto items = nlohmann::json::array();
    for (const auto& item : view.items) {
        items.push_back(item_json(item));
    }
    return {
        {"time_zone", view.time_zone}, {"items", std::move(items)}, {"truncated", view.truncated}};
}

}  // namespace poki::calendar
