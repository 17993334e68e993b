#include "poki/grapes/grape_json.hpp"

#include "poki/core/json_value.hpp"

namespace poki::grapes {

void write_board(json_writer& out, const board& b) {
    out.begin_object()
        .field("child_id", b.child_id)
        .field("number", b.number)
        .field("goal", b.goal)
        .field("attached", b.attached)
        .field("waiting", b.waiting())
        .field("total", b.balance)
        .field("status", b.full() ? "full" : "collecting")
        .key("gift");
    if (b.gift) {
        out.begin_object()
            .field("wish_item_id", b.gift->wish_item_id)
            .field("name", b.gift->name)
            .field("image_url", b.gift->image_url)
            .end_object();
    } else {
        out.null();
    }
    out.field("started_at", b.started_at).end_object();
}

void write_entry(json_writer& out, const ledger_entry& e) {
    out.begin_object()
        .field("id", e.id)
        .field("child_id", e.child_id)
        .field("kind", to_string(e.kind))
        .field("amount", e.amount)
        .field("balance", e.balance)
        .field("mission_id", e.mission_id)
        .field("board_id", e.board_id)
        .field("reason", e.reason)
        .field("created_by", e.created_by)
        .field("created_at", e.created_at)
        .end_object();
}

void write_redeemed(json_writer& out, const redeemed_board& b) {
    out.begin_object()
        .field("board_id", b.id)
        .field("number", b.number)
        .field("goal", b.goal)
        .field("wish_item_id", b.wish_item_id)
        .field("gift_name", b.gift_name)
        .field("carried_over", b.carried_over)
        .field("redeemed_by", b.redeemed_by)
        .field("started_at", b.started_at)
        .field("redeemed_at", b.redeemed_at)
        .end_object();
}

nlohmann::json board_json(const board& b) {
    return json_value_of(b, write_board);
}

nlohmann::json entry_json(const ledger_entry& e) {
    return json_value_of(e, write_entry);
}

nlohmann::json redeemed_json(const redeemed_board& b) {
    return json_value_of(b, write_redeemed);
}

}  // namespace poki::grapes
