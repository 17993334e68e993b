#include "poki/grapes/grape_events.hpp"

#include "poki/core/json_value.hpp"
#include "poki/family/family_lookup.hpp"

namespace poki::grapes {

nlohmann::json board_json(const board& b) {
    nlohmann::json gift = nullptr;
    if (b.gift) {
        gift = {{"wish_item_id", b.gift->wish_item_id},
                {"name", b.gift->name},
                {"image_url", or_null(b.gift->image_url)}};
    }
    return {{"child_id", b.child_id},
            {"number", b.number},
            {"goal", b.goal},
            {"attached", b.attached},
            {"waiting", b.waiting()},
            {"total", b.balance},
            {"status", b.full() ? "full" : "collecting"},
            {"gift", std::move(gift)},
            {"started_at", b.started_at}};
}

nlohmann::json entry_json(const ledger_entry& e) {
    return {{"id", e.id},
            {"child_id", e.child_id},
            {"kind", to_string(e.kind)},
            {"amount", e.amount},
            {"balance", e.balance},
            {"mission_id", or_null(e.mission_id)},
            {"board_id", or_null(e.board_id)},
            {"reason", or_null(e.reason)},
            {"created_by", or_null(e.created_by)},
            {"created_at", e.created_at}};
}

nlohmann::json redeemed_json(const redeemed_board& b) {
    return {{"board_id", b.id},
            {"number", b.number},
            {"goal", b.goal},
            {"wish_item_id", or_null(b.wish_item_id)},
            {"gift_name", or_null(b.gift_name)},
            {"carried_over", b.carried_over},
            {"redeemed_by", b.redeemed_by},
            {"started_at", b.started_at},
            {"redeemed_at", b.redeemed_at}};
}

std::vector<notify::event_draft> grapes_changed(pqxx::transaction_base& tx, const board& after,
                                                nlohmann::json cause) {
    return family::drafts_for(family::member_ids(tx, after.family_id), "grapes.changed",
                              {{"board", board_json(after)}, {"cause", std::move(cause)}});
}

}  // namespace poki::grapes
