#include "poki/missions/mission_json.hpp"

#include "poki/core/json_value.hpp"

namespace poki::missions {

nlohmann::json mission_json(const mission& m) {
    return {{"id", m.id},
            {"child_id", m.child_id},
            {"created_by", m.created_by},
            {"title", m.title},
            {"description", m.description},
            {"tag", or_null(m.tag)},
            {"reward", m.reward},
            {"due_at", or_null(m.due_at)},
            {"status", to_string(m.status)},
            {"note", or_null(m.note)},
            {"rejection_reason", or_null(m.rejection_reason)},
            {"decided_by", or_null(m.decided_by)},
            {"created_at", m.created_at},
            {"updated_at", m.updated_at},
            {"submitted_at", or_null(m.submitted_at)},
            {"decided_at", or_null(m.decided_at)}};
}

}  // namespace poki::missions
