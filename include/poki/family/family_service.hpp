// A family: its members, its name, link codes to bring members in, joining with one, and
// removing members. Every call is scoped by the caller's family; another family's member is
// "not found".
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "poki/auth/auth_service.hpp"
#include "poki/auth/rate_limiter.hpp"
#include "poki/cache/redis_client.hpp"
#include "poki/db/pool.hpp"
#include "poki/family/family_types.hpp"
#include "poki/family/link_codes.hpp"
#include "poki/notify/event_service.hpp"

namespace poki::family {

struct join_request {
    std::string code;
    std::string display_name;
    std::string login;
    std::string password;
    std::optional<std::string> email;  ///< required when the code admits a parent
};

class family_service {
  public:
    family_service(db::pool& database, cache::redis_client& redis, auth::auth_service& auth,
                   notify::event_service& events);

    awaitable<family_view> get(principal who);
    /// Parents only: the name, the time zone, or both.
    awaitable<family_view> update(principal who, family_patch patch);
    /// A member renames themselves; a parent may also rename a child.
    awaitable<member> rename_member(principal who, std::int64_t member_id, std::string name);
    /// A parent removes another member; their tokens stop working at once.
    awaitable<void> remove_member(principal who, std::int64_t member_id);
    /// Parents only.
    awaitable<link_code> create_link_code(principal who, poki::role admits);

    /// Redeems a link code: the new member is created in that family, the family is told,
    /// and the member is signed in. Five wrong codes from one client address lock it out for
    /// a while (429). A join that fails after the code was taken gives the code back.
    awaitable<auth::session_tokens> join(join_request request, std::string client_address);

    /// Runs inside the write that changed a family's time zone (reservations move with it).
    using zone_listener = std::function<void(pqxx::transaction_base&, std::int64_t family_id)>;
    void on_time_zone_changed(zone_listener listener) {
        zone_listeners_.push_back(std::move(listener));
    }

  private:
    /// The account the code admits, created and announced in one transaction.
    awaitable<auth::session_tokens> enroll(join_request request, const link_code& code);

    db::pool& database_;
    auth::auth_service& auth_;
    notify::event_service& events_;
    link_codes codes_;
    auth::rate_limiter limiter_;
    std::vector<zone_listener> zone_listeners_;
};

}  // namespace poki::family
