#include "poki/family/family_lookup.hpp"

#include "poki/core/error.hpp"
#include "poki/family/family_repository.hpp"

namespace poki::family {

void declare_lookup_statements(db::pool& database) {
    family_repository::declare_statements(database);
}

member require_child(pqxx::transaction_base& tx, std::int64_t family_id, std::int64_t child_id) {
    auto found = family_repository::find_member(tx, family_id, child_id);
    if (!found || found->role != role::child) {
        throw error{errc::not_found, "No such child in your family."};
    }
    return std::move(*found);
}

std::vector<std::int64_t> member_ids(pqxx::transaction_base& tx, std::int64_t family_id,
                                     std::optional<poki::role> only) {
    std::vector<std::int64_t> ids;
    for (const auto& m : family_repository::members(tx, family_id)) {
        if (!only || m.role == only) {
            ids.push_back(m.id);
        }
    }
    return ids;
}

std::map<std::int64_t, std::vector<std::int64_t>> parents_of(
    pqxx::transaction_base& tx, std::span<const std::int64_t> family_ids) {
    return family_repository::members_with_role(tx, family_ids, role::parent);
}

std::vector<notify::event_draft> drafts_for(const std::vector<std::int64_t>& recipients,
                                            std::string_view type, const nlohmann::json& data,
                                            const std::optional<notify::push_text>& push) {
    std::vector<notify::event_draft> drafts;
    drafts.reserve(recipients.size());
    for (const auto id : recipients) {
        drafts.push_back(notify::event_draft{id, std::string{type}, data, push});
    }
    return drafts;
}

}  // namespace poki::family
