#include "poki/grapes/board_service.hpp"

#include "poki/core/error.hpp"
#include "poki/family/family_lookup.hpp"
#include "poki/grapes/grape_awards.hpp"
#include "poki/grapes/grape_events.hpp"
#include "poki/grapes/grape_repository.hpp"

namespace poki::grapes {

board_service::board_service(db::pool& database, db::read_pipeline& reads,
                             notify::event_service& events)
    : database_{database}, reads_{reads}, events_{events} {
    grape_repository::declare_statements(database_);
    family::declare_lookup_statements(database_);
}

awaitable<board> board_service::get(principal who, std::int64_t child_id) {
    // One statement through the read pipeline: a GET never writes.
    auto found = co_await grape_repository::visible_board(reads_, child_id, who.family_id);
    if (!found) {
        throw error{errc::not_found, "No such child in your family."};
    }
    co_return std::move(*found);
}

awaitable<board> board_service::configure(principal who, std::int64_t child_id,
                                          board_settings settings) {
    require_parent(who);
    auto change = [who, child_id, settings](pqxx::work& tx, notify::event_log& log) {
        family::require_child(tx, who.family_id, child_id);
        auto b = grape_repository::lock_open_board(tx, child_id);
        if (settings.goal) {
            if (*settings.goal < b.attached) {
                throw error::validation("goal", "goal_below_attached",
                                        "The bunch already has " + std::to_string(b.attached) +
                                            " grapes attached; the goal cannot be lower.");
            }
            b.goal = *settings.goal;
        }
        if (settings.wish_item_id) {
            const auto& wish = *settings.wish_item_id;
            if (wish && !grape_repository::pickable_wish(tx, child_id, *wish)) {
                throw error::validation("wish_item_id", "not_pickable",
                                        "Must be an item on this child's wishlist not given yet.");
            }
            b.gift = wish ? std::optional{board_gift{*wish, {}, {}}} : std::nullopt;
        }
        grape_repository::configure(tx, b);
        auto after = grape_repository::open_board(tx, child_id);
        log.record(family::drafts_for(family::member_ids(tx, who.family_id), "board.updated",
                                      {{"board", board_json(after)}}));
        return after;
    };
    co_return co_await events_.write(std::move(change));
}

awaitable<board> board_service::attach(principal who, std::int64_t child_id, int count) {
    auto stick = [who, child_id, count](pqxx::work& tx, notify::event_log& log) {
        family::require_child(tx, who.family_id, child_id);
        if (who.user_id != child_id) {
            throw error{errc::forbidden, "attach_child_only",
                        "Only the child sticks grapes on their own bunch."};
        }
        auto b = grape_repository::lock_open_board(tx, child_id);
        if (count > b.waiting()) {
            throw error{
                errc::conflict, "not_enough_waiting",
                "Only " + std::to_string(b.waiting()) + " grapes are waiting to be attached."};
        }
        if (b.attached + count > b.goal) {
            throw error{
                errc::conflict, "bunch_overflow",
                "The bunch has room for " + std::to_string(b.goal - b.attached) + " more grapes."};
        }
        b.attached += count;
        grape_repository::set_attached(tx, b);
        log.record(grapes_changed(tx, b, {{"kind", "attached"}, {"count", count}}));
        return b;
    };
    co_return co_await events_.write(std::move(stick));
}

awaitable<keyed_answer> board_service::adjust(principal who, std::int64_t child_id, int amount,
                                              std::string reason, std::optional<request_key> key) {
    require_parent(who);
    auto change = [who, child_id, amount, reason = std::move(reason)](pqxx::work& tx,
                                                                      notify::event_log& log) {
        family::require_child(tx, who.family_id, child_id);
        const ledger_change c{amount > 0 ? ledger_kind::award : ledger_kind::correction,
                              amount,
                              std::nullopt,
                              std::nullopt,
                              reason,
                              who.user_id};
        auto done = award(tx, child_id, c);
        log.record(std::move(done.told));
        return done;
    };
    auto answer = [](const awarded& done) -> nlohmann::json {
        return {{"entry", entry_json(done.entry)}, {"board", board_json(done.after)}};
    };
    co_return co_await events_.write_once(std::move(key), std::move(change), std::move(answer));
}

awaitable<redemption> board_service::redeem(principal who, std::int64_t child_id) {
    require_parent(who);
    auto write = [who, child_id](pqxx::work& tx, notify::event_log& log) {
        family::require_child(tx, who.family_id, child_id);
        auto b = grape_repository::lock_open_board(tx, child_id);
        if (!b.full()) {
            throw error::conflict_in_state("The bunch has " + std::to_string(b.attached) + " of " +
                                               std::to_string(b.goal) + " grapes attached.",
                                           "collecting");
        }
        grape_repository::append(
            tx, b,
            ledger_change{ledger_kind::redemption, -b.goal, std::nullopt, b.id,
                          b.gift ? std::optional{b.gift->name} : std::nullopt, who.user_id});
        const auto carried = b.balance;  // what is left after the goal's grapes were spent
        auto next = grape_repository::close_and_open_next(tx, b, who.user_id, carried);
        auto latest = grape_repository::redeemed(tx, child_id, std::nullopt, 1);
        redemption out{latest.items.at(0), std::move(next)};
        log.record(family::drafts_for(family::member_ids(tx, who.family_id), "board.redeemed",
                                      {{"child_id", child_id},
                                       {"redeemed", redeemed_json(out.record)},
                                       {"board", board_json(out.next)}}));
        return out;
    };
    co_return co_await events_.write(std::move(write));
}

awaitable<ledger_page> board_service::history(principal who, std::int64_t child_id,
                                              std::optional<std::int64_t> before, int limit) {
    auto load = [who, child_id, before, limit](pqxx::connection& c) {
        pqxx::nontransaction tx{c};  // a plain read: no BEGIN or COMMIT round trip
        family::require_child(tx, who.family_id, child_id);
        return grape_repository::history(tx, child_id, before, limit);
    };
    co_return co_await database_.run(std::move(load));
}

awaitable<page<redeemed_board>> board_service::redeemed(principal who, std::int64_t child_id,
                                                        std::optional<std::int64_t> before,
                                                        int limit) {
    auto load = [who, child_id, before, limit](pqxx::connection& c) {
        pqxx::nontransaction tx{c};  // a plain read: no BEGIN or COMMIT round trip
        family::require_child(tx, who.family_id, child_id);
        return grape_repository::redeemed(tx, child_id, before, limit);
    };
    co_return co_await database_.run(std::move(load));
}

}  // namespace poki::grapes
