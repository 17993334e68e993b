#include "poki/reservations/reservation_json.hpp"

#include "poki/core/timestamp.hpp"
#include "poki/schedule/schedule_json.hpp"

namespace poki::reservations {
std::string_view state_of(const reservation& r) noexcept {
    if (r.paused) {
        return "paused";
    }
    return r.next_at ? "active" : "finished";
}

void write_reservation(json_writer& out, const reservation& r) {
    const auto& m = r.mission;
    out.begin_object()
        .field("id", r.id)
        .field("child_id", m.child_id)
        .field("created_by", r.created_by)
        .field("title", m.title)
        .field("description", m.description)
        .field("tag", m.tag)
        .field("reward", m.reward)
        .field("due_minutes", m.due_minutes);
    schedule::write_recurrence_fields(out, r.when);
    out.field("time_zone", r.time_zone)
        .field("state", state_of(r))
        .field("next_at", r.next_at)
        .field("created_at", r.created_at)
        .field("updated_at", r.updated_at)
        .end_object();
}

nlohmann::json reservation_json(const reservation& r) {
    return nlohmann::json::parse(json_text(r, write_reservation));
}

nlohmann::json occurrence_json(const occurrence& o) {
    nlohmann::json out{{"on_date", schedule::format_date(o.on_date)},
                       {"local_at", schedule::format_local_time(o.local_at)},
                       {"at", format_rfc3339(o.at)},
                       {"moved", o.moved}};
    out["state"] = o.state ? nlohmann::json(to_string(*o.state)) : nlohmann::json("upcoming");
    out["mission_id"] = o.mission_id ? nlohmann::json(*o.mission_id) : nlohmann::json(nullptr);
    return out;
}

}  // namespace poki::reservations
