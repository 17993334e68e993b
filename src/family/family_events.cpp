#include "poki/family/family_events.hpp"

#include "poki/family/family_lookup.hpp"
#include "poki/family/member_json.hpp"

namespace poki::family {
namespace {

/// Active members of the family other than `except` (ascending id).
std::vector<std::int64_t> other_member_ids(pqxx::transaction_base& tx, std::int64_t family_id,
                                           std::int64_t except) {
    auto ids = member_ids(tx, family_id);
    std::erase(ids, except);
    return ids;
}

}  // namespace

std::vector<notify::event_draft> member_joined_events(pqxx::transaction_base& tx,
                                                      std::int64_t family_id,
                                                      const member& joined) {
    return drafts_for(other_member_ids(tx, family_id, joined.id), "family.member_joined",
                      {{"member", member_json(joined)}},
                      notify::push_text{"Poki", joined.display_name + " joined your family"});
}

std::vector<notify::event_draft> member_removed_events(pqxx::transaction_base& tx,
                                                       std::int64_t family_id,
                                                       const member& removed) {
    return drafts_for(other_member_ids(tx, family_id, removed.id), "family.member_removed",
                      {{"member", member_json(removed)}},
                      notify::push_text{"Poki", removed.display_name + " left your family"});
}

}  // namespace poki::family
