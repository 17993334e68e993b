// Grape boards: a child's open board (goal, gift, grapes attached and waiting), the ledger
// that counts every grape, awards and corrections by parents, the child sticking grapes on,
// and redeeming a full board for its gift. Every call is scoped by the caller's family.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "poki/core/principal.hpp"
#include "poki/core/request_key.hpp"
#include "poki/db/pool.hpp"
#include "poki/db/read_pipeline.hpp"
#include "poki/grapes/grape_types.hpp"
#include "poki/notify/event_service.hpp"

namespace poki::grapes {

struct board_settings {
    std::optional<int> goal;
    /// Set: the gift changes (nullopt inside clears it).
    std::optional<std::optional<std::int64_t>> wish_item_id;
};

struct redemption {
    redeemed_board record;
    board next;
};

class board_service {
  public:
    board_service(db::pool& database, db::read_pipeline& reads, notify::event_service& events);

    /// Any member of the family.
    awaitable<board> get(principal who, std::int64_t child_id);
    /// Parents: the goal (never below the grapes already attached) and the gift, one of the
    /// child's wishlist items not given yet.
    awaitable<board> configure(principal who, std::int64_t child_id, board_settings settings);
    /// The child themself: `count` waiting grapes go on the bunch, never past the goal.
    awaitable<board> attach(principal who, std::int64_t child_id, int count);
    /// Parents: an award (amount > 0) or a correction (amount < 0), with a reason. The
    /// balance never goes below zero. Answers {entry, board}; with a key, once per key.
    awaitable<keyed_answer> adjust(principal who, std::int64_t child_id, int amount,
                                   std::string reason, std::optional<request_key> key);
    /// Parents, once the board is full: the goal's grapes buy the gift, the rest carry over.
    awaitable<redemption> redeem(principal who, std::int64_t child_id);

    awaitable<ledger_page> history(principal who, std::int64_t child_id,
                                   std::optional<std::int64_t> before, int limit);
    /// Newest first; `before` is a board number (the previous page's next_cursor).
    awaitable<page<redeemed_board>> redeemed(principal who, std::int64_t child_id,
                                             std::optional<std::int64_t> before, int limit);

  private:
    db::pool& database_;
    db::read_pipeline& reads_;
    notify::event_service& events_;
};

}  // namespace poki::grapes
