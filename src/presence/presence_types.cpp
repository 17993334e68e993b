#include "poki/presence/presence_types.hpp"

#include <nlohmann/json.hpp>

namespace poki::presence {

std::string presence_channel(std::int64_t family_id) {
    return "poki:presence:" + std::to_string(family_id);
}

std::string encode_change(const presence_change& change) {
    nlohmann::json doc{{"v", 1},
                       {"family_id", change.family_id},
                       {"user_id", change.member.user_id},
                       {"online", change.member.online}};
    if (change.member.last_seen) {
        doc["last_seen_ms"] = change.member.last_seen->time_since_epoch().count();
    }
    return doc.dump();
}

std::optional<presence_change> decode_change(std::string_view payload) {
    const auto doc = nlohmann::json::parse(payload, nullptr, false);
    if (!doc.is_object() || doc.value("v", 0) != 1) {
        return std::nullopt;
    }
    const auto family = doc.find("family_id");
    const auto user = doc.find("user_id");
    const auto online = doc.find("online");
    if (family == doc.end() || !family->is_number_integer() || user == doc.end() ||
        !user->is_number_integer() || online == doc.end() || !online->is_boolean()) {
        return std::nullopt;
    }
    presence_change change{family->get<std::int64_t>(),
                           {user->get<std::int64_t>(), online->get<bool>(), std::nullopt}};
    if (const auto seen = doc.find("last_seen_ms");
        seen != doc.end() && seen->is_number_integer()) {
        change.member.last_seen = timestamp{std::chrono::milliseconds{seen->get<std::int64_t>()}};
    }
    return change;
}

}  // namespace poki::presence
