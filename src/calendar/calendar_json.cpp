#include "poki/calendar/calendar_json.hpp"

#include "poki/core/timestamp.hpp"
#include "poki/schedule/schedule_json.hpp"

namespace poki::calendar {
namespace {

template <class T>
nlohmann::json or_null(const std::optional<T>& value) {
    return value ? nlohmann::json(*value) : nlohmann::json(nullptr);
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

namespace {

void write_local(json_writer& out, std::string_view name,
                 const std::optional<date::local_seconds>& t) {
    out.key(name);
    if (t) {
        out.value(schedule::format_local_time(*t));
    } else {
        out.null();
    }
}

void write_ids(json_writer& out, std::string_view name, const std::vector<std::int64_t>& ids) {
    out.key(name).begin_array();
    for (const auto id : ids) {
        out.value(id);
    }
    out.end_array();
}

}  // namespace

void write_item(json_writer& out, const calendar_item& item) {
    out.begin_object()
        .field("kind", to_string(item.kind))
        .field("id", item.id)
        .field("title", item.title)
        .field("start", format_rfc3339(item.start));
    out.key("end");
    if (item.end) {
        out.value(format_rfc3339(*item.end));
    } else {
        out.null();
    }
    out.field("all_day", item.all_day);
    write_local(out, "local_start", item.local_start);
    write_local(out, "local_end", item.local_end);
    out.field("child_id", item.child_id);
    if (item.on_date) {
        out.field("on_date", schedule::format_date(*item.on_date));
    }
    switch (item.kind) {
        case item_kind::event:
            out.field("location", item.location);
            write_ids(out, "member_ids", item.member_ids);
            break;
        case item_kind::mission:
            out.field("status", item.status).field("reward", item.reward);
            break;
        case item_kind::reservation:
            out.field("reward", item.reward).field("moved", item.moved);
            break;
        case item_kind::gift_day:
            break;
    }
    out.end_object();
}

std::string view_text(const calendar_view& view) {
    constexpr std::size_t typical_item_bytes = 320;
    json_writer out;
    out.reserve(view.items.size() * typical_item_bytes + 96);
    out.begin_object().field("time_zone", view.time_zone).key("items").begin_array();
    for (const auto& item : view.items) {
        write_item(out, item);
    }
    out.end_array().field("truncated", view.truncated).end_object();
    return std::move(out).take();
}

}  // namespace poki::calendar
