#include "poki/grapes/grape_repository.hpp"

#include "poki/core/error.hpp"
#include "poki/db/nullable.hpp"
#include "poki/db/read_pipeline.hpp"
#include "poki/db/sql_text.hpp"
#include "poki/db/utc_time.hpp"

namespace poki::grapes {
namespace {

using db::sql;

// The board columns, in to_board's order; `balance` is the newest ledger entry's. `scope`
// joins whatever else must hold for the row to be returned.
std::string board_select(std::string_view scope = {}) {
    constexpr std::string_view balance =
        " COALESCE((SELECT l.balance FROM grape_ledger l WHERE l.child_id = b.child_id"
        "           ORDER BY l.id DESC LIMIT 1), 0),";
    constexpr std::string_view open_board_of_child =
        " LEFT JOIN wishlist_items w ON w.id = b.wish_item_id"
        " WHERE b.child_id = $1 AND b.redeemed_at IS NULL";
    return sql({"SELECT b.id, b.child_id, b.family_id, b.number, b.goal, b.attached, ",
                db::utc("b.started_at"), ",", balance,
                " w.id, w.name, w.image_url FROM grape_boards b", scope, open_board_of_child});
}

std::string entry_columns() {
    return sql({"id, child_id, kind, amount, balance, mission_id, board_id, reason, created_by, ",
                db::utc("created_at")});
}

template <class Row>
board to_board(const Row& r) {
    board b;
    b.id = r[0].template as<std::int64_t>();
    b.child_id = r[1].template as<std::int64_t>();
    b.family_id = r[2].template as<std::int64_t>();
    b.number = r[3].template as<int>();
    b.goal = r[4].template as<int>();
    b.attached = r[5].template as<int>();
    b.started_at = db::utc_time(r[6]);
    b.balance = r[7].template as<int>();
    if (!r[8].is_null()) {
        b.gift = board_gift{r[8].template as<std::int64_t>(), r[9].template as<std::string>(),
                            db::nullable<std::string>(r[10])};
    }
    return b;
}

ledger_entry to_entry(const pqxx::row& r) {
    ledger_entry e;
    e.id = r[0].as<std::int64_t>();
    e.child_id = r[1].as<std::int64_t>();
    e.kind = parse_ledger_kind(r[2].as<std::string>());
    e.amount = r[3].as<int>();
    e.balance = r[4].as<int>();
    e.mission_id = db::nullable<std::int64_t>(r[5]);
    e.board_id = db::nullable<std::int64_t>(r[6]);
    e.reason = db::nullable<std::string>(r[7]);
    e.created_by = db::nullable<std::int64_t>(r[8]);
    e.created_at = db::utc_time(r[9]);
    return e;
}

/// The open board. Every child has one from the moment they join (0010_boards.sql), and a
/// redemption opens the next in its own transaction.
board load_open(pqxx::transaction_base& tx, std::int64_t child_id, bool lock) {
    if (lock) {
        // Locked by a statement of its own: the next statement's snapshot then includes
        // whatever the previous holder committed (a balance read in the locking statement
        // itself would come from before the wait).
        (void)tx.exec_prepared("grapes.lock_board", child_id).at(0);
    }
    return to_board(tx.exec_prepared("grapes.open_board", child_id).at(0));
}

}  // namespace

std::string_view to_string(ledger_kind kind) noexcept {
    switch (kind) {
        case ledger_kind::mission:
            return "mission";
        case ledger_kind::award:
            return "award";
        case ledger_kind::correction:
            return "correction";
        case ledger_kind::redemption:
            return "redemption";
    }
    return "award";
}

ledger_kind parse_ledger_kind(std::string_view text) {
    if (text == "mission") {
        return ledger_kind::mission;
    }
    if (text == "correction") {
        return ledger_kind::correction;
    }
    if (text == "redemption") {
        return ledger_kind::redemption;
    }
    return ledger_kind::award;
}

void grape_repository::declare_statements(db::pool& database) {
    database.declare("grapes.open_board", board_select());
    // The read route's one statement: the family scope and the child's role are its join.
    database.declare("grapes.visible_board",
                     board_select(" JOIN users u ON u.id = b.child_id AND u.family_id = $2"
                                  " AND u.role = 'child' AND u.removed_at IS NULL"));
    database.declare("grapes.lock_board",
                     "SELECT id FROM grape_boards WHERE child_id = $1 AND redeemed_at IS NULL"
                     " FOR UPDATE");
    database.declare(
        "grapes.append",
        sql({"INSERT INTO grape_ledger (child_id, family_id, kind, amount, balance,",
             " mission_id, board_id, reason, created_by)",
             " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING ", entry_columns()}));
    database.declare("grapes.pickable_wish",
                     "SELECT 1 FROM wishlist_items WHERE id = $1 AND child_id = $2"
                     " AND removed_at IS NULL AND given_at IS NULL");
    database.declare("grapes.set_attached", "UPDATE grape_boards SET attached = $2 WHERE id = $1");
    database.declare("grapes.configure",
                     "UPDATE grape_boards SET goal = $2, wish_item_id = $3 WHERE id = $1");
    database.declare(
        "grapes.close_board",
        "UPDATE grape_boards b SET redeemed_at = now(), redeemed_by = $2, carried_over = $3,"
        " gift_name = (SELECT name FROM wishlist_items WHERE id = b.wish_item_id) WHERE id = $1");
    database.declare("grapes.mark_given",
                     "UPDATE wishlist_items SET given_at = now() WHERE id = $1");
    database.declare("grapes.open_next",
                     "INSERT INTO grape_boards (child_id, family_id, number, goal)"
                     " VALUES ($1, $2, $3, $4)");
    database.declare("grapes.history", sql({"SELECT ", entry_columns(),
                                            " FROM grape_ledger WHERE child_id = $1 AND id < $2",
                                            " ORDER BY id DESC LIMIT $3"}));
    database.declare(
        "grapes.redeemed",
        sql({"SELECT id, number, goal, wish_item_id, gift_name, carried_over, redeemed_by,", " ",
             db::utc("started_at"), ", ", db::utc("redeemed_at"),
             " FROM grape_boards WHERE child_id = $1 AND redeemed_at IS NOT NULL",
             " AND number < $2::bigint ORDER BY number DESC LIMIT $3"}));
}

board grape_repository::open_board(pqxx::transaction_base& tx, std::int64_t child_id) {
    return load_open(tx, child_id, false);
}

awaitable<std::optional<board>> grape_repository::visible_board(db::read_pipeline& reads,
                                                                std::int64_t child_id,
                                                                std::int64_t family_id) {
    const auto rows = co_await reads.query("grapes.visible_board", db::params(child_id, family_id));
    if (rows.empty()) {
        co_return std::nullopt;
    }
    co_return to_board(rows[0]);
}

board grape_repository::lock_open_board(pqxx::transaction_base& tx, std::int64_t child_id) {
    return load_open(tx, child_id, true);
}

ledger_entry grape_repository::append(pqxx::transaction_base& tx, board& locked,
                                      const ledger_change& change) {
    const auto balance = locked.balance + change.amount;
    if (balance < 0) {
        throw error{errc::conflict, "balance_below_zero",
                    "That would take the grapes below zero: the child has " +
                        std::to_string(locked.balance) + "."};
    }
    const auto row =
        tx.exec_prepared1("grapes.append", locked.child_id, locked.family_id,
                          std::string{to_string(change.kind)}, change.amount, balance,
                          change.mission_id, change.board_id, change.reason, change.created_by);
    locked.balance = balance;
    if (change.kind == ledger_kind::correction && locked.attached > balance) {
        // A correction took more than was waiting: grapes come off the bunch.
        locked.attached = balance;
        set_attached(tx, locked);
    }
    return to_entry(row);
}

bool grape_repository::pickable_wish(pqxx::transaction_base& tx, std::int64_t child_id,
                                     std::int64_t wish_item_id) {
    return !tx.exec_prepared("grapes.pickable_wish", wish_item_id, child_id).empty();
}

void grape_repository::set_attached(pqxx::transaction_base& tx, const board& locked) {
    tx.exec_prepared("grapes.set_attached", locked.id, locked.attached);
}

void grape_repository::configure(pqxx::transaction_base& tx, const board& locked) {
    tx.exec_prepared("grapes.configure", locked.id, locked.goal,
                     locked.gift ? std::optional{locked.gift->wish_item_id} : std::nullopt);
}

board grape_repository::close_and_open_next(pqxx::transaction_base& tx, const board& locked,
                                            std::int64_t redeemed_by, int carried_over) {
    tx.exec_prepared("grapes.close_board", locked.id, redeemed_by, carried_over);
    if (locked.gift) {
        tx.exec_prepared("grapes.mark_given", locked.gift->wish_item_id);
    }
    tx.exec_prepared("grapes.open_next", locked.child_id, locked.family_id, locked.number + 1,
                     locked.goal);
    // The new board was made here, so this transaction holds it until commit.
    return load_open(tx, locked.child_id, false);
}

ledger_page grape_repository::history(pqxx::transaction_base& tx, std::int64_t child_id,
                                      std::optional<std::int64_t> before, int limit) {
    std::vector<ledger_entry> rows;
    for (const auto& row : tx.exec_prepared(
             "grapes.history", child_id, before.value_or(std::numeric_limits<std::int64_t>::max()),
             rows_for_page(limit))) {
        rows.push_back(to_entry(row));
    }
    return page_of(std::move(rows), limit, [](const ledger_entry& e) { return e.id; });
}

page<redeemed_board> grape_repository::redeemed(pqxx::transaction_base& tx, std::int64_t child_id,
                                                std::optional<std::int64_t> before, int limit) {
    std::vector<redeemed_board> out;
    for (const auto& r : tx.exec_prepared("grapes.redeemed", child_id,
                                          before.value_or(std::numeric_limits<std::int64_t>::max()),
                                          rows_for_page(limit))) {
        redeemed_board b;
        b.id = r[0].as<std::int64_t>();
        b.number = r[1].as<int>();
        b.goal = r[2].as<int>();
        b.wish_item_id = db::nullable<std::int64_t>(r[3]);
        b.gift_name = db::nullable<std::string>(r[4]);
        b.carried_over = r[5].as<int>();
        b.redeemed_by = r[6].as<std::int64_t>();
        b.started_at = db::utc_time(r[7]);
        b.redeemed_at = db::utc_time(r[8]);
        out.push_back(std::move(b));
    }
    return page_of(std::move(out), limit, [](const redeemed_board& b) { return b.number; });
}

}  // namespace poki::grapes
