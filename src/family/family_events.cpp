#include "poki/family/family_events.hpp"

#include "poki/family/member_json.hpp"

namespace poki::family {
namespace {

std::vector<notify::event_draft> to_each(const std::vector<std::int64_t>& recipients,
                                         std::string_view type, const nlohmann::json& data,
                                         const notify::push_text& push) {
    std::vector<notify::event_draft> out;
    out.reserve(recipients.size());
    for (const auto id : recipients) {
        out.push_back(notify::event_draft{id, std::string{type}, data, push});
    }
    return out;
}

}  // namespace

std::vector<std::int64_t> other_member_ids(pqxx::transaction_base& tx, std::int64_t family_id,
                                           std::int64_t except) {
    const auto rows = tx.exec_params(
        "SELECT id FROM users WHERE family_id = $1 AND removed_at IS NULL AND id <> $2"
        " ORDER BY id",
        family_id, except);
    std::vector<std::int64_t> out;
    out.reserve(rows.size());
    for (const auto& row : rows) {
        out.push_back(row[0].as<std::int64_t>());
    }
    return out;
}

std::vector<notify::event_draft> member_joined_events(pqxx::transaction_base& tx,
                                                      std::int64_t family_id,
                                                      const member& joined) {
    return to_each(other_member_ids(tx, family_id, joined.id), "family.member_joined",
                   {{"member", member_json(joined)}},
                   {"Poki", joined.display_name + " joined your family"});
}

std::vector<notify::event_draft> member_removed_events(pqxx::transaction_base& tx,
                                                       std::int64_t family_id,
                                                       const member& removed) {
    return to_each(other_member_ids(tx, family_id, removed.id), "family.member_removed",
                   {{"member", member_json(removed)}},
                   {"Poki", removed.display_name + " left your family"});
}

}  // namespace poki::family
