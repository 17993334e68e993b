#include "poki/family/member_json.hpp"

namespace poki::family {

nlohmann::json member_json(const member& m) {
    return {{"id", m.id},
            {"role", to_string(m.role)},
            {"display_name", m.display_name},
            {"avatar_color", m.avatar_color}};
}

}  // namespace poki::family
