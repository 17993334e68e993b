// A family: its members, its name, link codes to bring members in, and removing members.
// Every call is scoped by the caller's family; another family's member is "not found".
#pragma once

#include "poki/auth/revocations.hpp"
#include "poki/db/pool.hpp"
#include "poki/family/family_repository.hpp"
#include "poki/family/link_codes.hpp"
#include "poki/notify/event_service.hpp"

namespace poki::family {

class family_service {
  public:
    family_service(db::pool& database, link_codes& codes, auth::revocations& revoked,
                   notify::event_service& events);

    awaitable<family_view> get(principal who);
    /// Parents only.
    awaitable<family_view> rename(principal who, std::string name);
    /// A member renames themselves; a parent may also rename a child.
    awaitable<member> rename_member(principal who, std::int64_t member_id, std::string name);
    /// A parent removes another member; their tokens stop working at once.
    awaitable<void> remove_member(principal who, std::int64_t member_id);
    /// Parents only.
    awaitable<link_code> create_link_code(principal who, poki::role admits);

  private:
    db::pool& database_;
    link_codes& codes_;
    auth::revocations& revoked_;
    notify::event_service& events_;
};

}  // namespace poki::family
