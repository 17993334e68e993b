// SQL for boards and the grape ledger. Every change of a child's grapes runs with the
// child's open board locked (lock_open_board), which serialises them per child: balances
// are exact, attaching never outruns awarding, a redemption happens once.
#pragma once

#include <optional>
#include <vector>

#include <pqxx/pqxx>

#include "poki/db/pool.hpp"
#include "poki/db/read_pipeline.hpp"
#include "poki/grapes/grape_types.hpp"

namespace poki::grapes {

class grape_repository {
  public:
    static void declare_statements(db::pool& database);

    /// The child's open board, unlocked; every child has one from the moment they join
    /// (0010_boards.sql). Callers check the child is in the caller's family first.
    static board open_board(pqxx::transaction_base& tx, std::int64_t child_id);
    /// The same, locked until the transaction ends.
    static board lock_open_board(pqxx::transaction_base& tx, std::int64_t child_id);
    /// The open board of a child of this family, in one statement; nullopt when there is no
    /// such child.
    static awaitable<std::optional<board>> visible_board(db::read_pipeline& reads,
                                                         std::int64_t child_id,
                                                         std::int64_t family_id);

    /// Appends to the ledger of the locked board's child and updates `locked` (balance,
    /// and attached grapes when a correction takes away more than were waiting).
    /// errc::conflict when the balance would drop below zero.
    static ledger_entry append(pqxx::transaction_base& tx, board& locked,
                               const ledger_change& change);
    /// Whether the item is on the child's wishlist and not given yet (a board's gift).
    static bool pickable_wish(pqxx::transaction_base& tx, std::int64_t child_id,
                              std::int64_t wish_item_id);

    static void set_attached(pqxx::transaction_base& tx, const board& locked);
    static void configure(pqxx::transaction_base& tx, const board& locked);
    /// Closes the locked board as redeemed and opens the next with the same goal.
    static board close_and_open_next(pqxx::transaction_base& tx, const board& locked,
                                     std::int64_t redeemed_by, int carried_over);

    static ledger_page history(pqxx::transaction_base& tx, std::int64_t child_id,
                               std::optional<std::int64_t> before, int limit);
    /// Newest first, boards numbered below `before` when given.
    static page<redeemed_board> redeemed(pqxx::transaction_base& tx, std::int64_t child_id,
                                         std::optional<std::int64_t> before, int limit);
};

}  // namespace poki::grapes
