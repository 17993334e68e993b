// Boards, ledger entries and redeemed boards as the API and the family's events show them.
#pragma once

#include <nlohmann/json.hpp>

#include "poki/core/json_writer.hpp"
#include "poki/grapes/grape_types.hpp"

namespace poki::grapes {

/// The numbers apps draw a board from: the one list of its fields.
void write_board(json_writer& out, const board& b);
void write_entry(json_writer& out, const ledger_entry& e);
void write_redeemed(json_writer& out, const redeemed_board& b);

/// The same as JSON values, for event data and keyed answers.
[[nodiscard]] nlohmann::json board_json(const board& b);
[[nodiscard]] nlohmann::json entry_json(const ledger_entry& e);
[[nodiscard]] nlohmann::json redeemed_json(const redeemed_board& b);

}  // namespace poki::grapes
