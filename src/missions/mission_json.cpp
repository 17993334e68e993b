#include "poki/missions/mission_json.hpp"

#include "poki/core/json_value.hpp"

namespace poki::missions {

void write_mission(json_writer& out, const mission& m) {
    out.begin_object()
        .field("id", m.id)
        .field("child_id", m.child_id)
        .field("created_by", m.created_by)
        .field("title", m.title)
        .field("description", m.description)
        .field("tag", m.tag)
        .field("reward", m.reward)
        .field("due_at", m.due_at)
        .field("status", to_string(m.status))
        .field("note", m.note)
        .field("rejection_reason", m.rejection_reason)
        .field("decided_by", m.decided_by)
        .field("created_at", m.created_at)
        .field("updated_at", m.updated_at)
        .field("submitted_at", m.submitted_at)
        .field("decided_at", m.decided_at)
        .end_object();
}

nlohmann::json mission_json(const mission& m) {
    return json_value_of(m, write_mission);
}

}  // namespace poki::missions
