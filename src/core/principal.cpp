#include "poki/core/principal.hpp"

#include "poki/core/error.hpp"

namespace poki {

void require_parent(const principal& who) {
    if (who.role != role::parent) {
        throw error{errc::forbidden, "parents_only", "Only a parent may do this."};
    }
}

}  // namespace poki
