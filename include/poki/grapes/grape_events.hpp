// The events a change of grapes sends to the family, shared by boards and missions.
#pragma once

#include <vector>

#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "poki/grapes/grape_json.hpp"
#include "poki/grapes/grape_types.hpp"
#include "poki/notify/event.hpp"

namespace poki::grapes {

/// `grapes.changed` to every active member of the child's family: the board after the
/// change, and what changed it (`cause`).
[[nodiscard]] std::vector<notify::event_draft> grapes_changed(pqxx::transaction_base& tx,
                                                              const board& after,
                                                              nlohmann::json cause);

}  // namespace poki::grapes
