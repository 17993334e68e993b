#include "poki/chat/chat_json.hpp"

namespace poki::chat {

nlohmann::json message_json(const message& m) {
    return {{"id", m.id},
            {"room_id", m.room_id},
            {"author", {{"id", m.author_id}, {"display_name", m.author_name}}},
            {"client_id", m.client_id},
            {"text", m.text ? nlohmann::json(*m.text) : nlohmann::json(nullptr)},
            {"deleted", !m.text.has_value()},
            {"created_at", m.created_at}};
}

nlohmann::json room_json(const room& r) {
    nlohmann::json out{{"id", r.id}, {"kind", r.kind == room_kind::family ? "family" : "direct"}};
    if (r.kind == room_kind::direct) {
        out["member_ids"] = {*r.member_a, *r.member_b};
    }
    return out;
}

std::string preview(std::string_view text, std::size_t max_chars) {
    std::size_t chars = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        // A byte that does not continue a sequence starts a code point.
        if ((static_cast<unsigned char>(text[i]) & 0xC0U) != 0x80U && chars++ == max_chars) {
            return std::string{text.substr(0, i)} + "…";
        }
    }
    return std::string{text};
}

}  // namespace poki::chat
