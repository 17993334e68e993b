#include "poki/grapes/grape_events.hpp"

#include "poki/family/family_lookup.hpp"

namespace poki::grapes {

std::vector<notify::event_draft> grapes_changed(pqxx::transaction_base& tx, const board& after,
                                                nlohmann::json cause) {
    return family::drafts_for(family::member_ids(tx, after.family_id), "grapes.changed",
                              {{"board", board_json(after)}, {"cause", std::move(cause)}});
}

}  // namespace poki::grapes
