// A child's grapes as the board service hands them out: the open board, the ledger that
// counts every grape, and the boards already redeemed for a gift.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "poki/core/paging.hpp"

namespace poki::grapes {

enum class ledger_kind { mission, award, correction, redemption };

[[nodiscard]] std::string_view to_string(ledger_kind kind) noexcept;
[[nodiscard]] ledger_kind parse_ledger_kind(std::string_view text);

/// The wishlist item a parent picked as the board's gift.
struct board_gift {
    std::int64_t wish_item_id = 0;
    std::string name;
    std::optional<std::string> image_url;
};

struct board {
    std::int64_t id = 0;
    std::int64_t child_id = 0;
    std::int64_t family_id = 0;
    int number = 0;    ///< 1, 2, 3 … per child
    int goal = 31;     ///< grapes that fill the bunch
    int attached = 0;  ///< stuck on the bunch by the child
    int balance = 0;   ///< every grape the child holds: the ledger's sum
    std::optional<board_gift> gift;
    std::string started_at;

    [[nodiscard]] int waiting() const noexcept { return balance - attached; }
    [[nodiscard]] bool full() const noexcept { return attached >= goal; }
};

struct ledger_entry {
    std::int64_t id = 0;
    std::int64_t child_id = 0;
    ledger_kind kind = ledger_kind::award;
    int amount = 0;
    int balance = 0;  ///< after this entry
    std::optional<std::int64_t> mission_id;
    std::optional<std::int64_t> board_id;
    std::optional<std::string> reason;
    std::optional<std::int64_t> created_by;
    std::string created_at;
};

using ledger_page = page<ledger_entry>;  ///< newest first

/// A board that was redeemed: the record of which gift the full bunch bought.
struct redeemed_board {
    std::int64_t id = 0;
    int number = 0;
    int goal = 0;
    std::optional<std::int64_t> wish_item_id;
    std::optional<std::string> gift_name;
    int carried_over = 0;  ///< grapes beyond the goal that moved to the next board
    std::int64_t redeemed_by = 0;
    std::string started_at;
    std::string redeemed_at;
};

/// A new ledger entry, before it has its number and balance.
struct ledger_change {
    ledger_kind kind = ledger_kind::award;
    int amount = 0;
    std::optional<std::int64_t> mission_id;
    std::optional<std::int64_t> board_id;
    std::optional<std::string> reason;
    std::optional<std::int64_t> created_by;
};

}  // namespace poki::grapes
