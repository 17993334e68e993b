// What other features ask of a family inside their own transactions: is this one of our
// children, and who should hear about a change.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "poki/db/pool.hpp"
#include "poki/family/family_types.hpp"
#include "poki/notify/event.hpp"

namespace poki::family {

/// The statements the lookups run, for the services that use them.
void declare_lookup_statements(db::pool& database);

/// The active child `child_id` of the family; errc::not_found otherwise (another family's
/// child, a parent's id, a removed member all look the same).
member require_child(pqxx::transaction_base& tx, std::int64_t family_id, std::int64_t child_id);

/// Active members' ids, ascending; only those of `only` when given.
std::vector<std::int64_t> member_ids(pqxx::transaction_base& tx, std::int64_t family_id,
                                     std::optional<poki::role> only = std::nullopt);

/// The active parents of each of `family_ids`, ids ascending, in one statement.
std::map<std::int64_t, std::vector<std::int64_t>> parents_of(
    pqxx::transaction_base& tx, std::span<const std::int64_t> family_ids);

/// One draft of the same event for each recipient.
std::vector<notify::event_draft> drafts_for(const std::vector<std::int64_t>& recipients,
                                            std::string_view type, const nlohmann::json& data,
                                            const std::optional<notify::push_text>& push = {});

}  // namespace poki::family
