#include "poki/chat/chat_json.hpp"

namespace poki::chat {

void write_message(json_writer& out, const message& m) {
    out.begin_object()
        .field("id", m.id)
        .field("room_id", m.room_id)
        .key("author")
        .begin_object()
        .field("id", m.author_id)
        .field("display_name", m.author_name)
        .end_object()
        .field("client_id", m.client_id)
        .field("text", m.text)
        .field("deleted", !m.text.has_value())
        .field("created_at", m.created_at)
        .end_object();
}

nlohmann::json message_json(const message& m) {
    // Events are rare next to history reads: parsing the answer's text keeps one list of
    // fields.
    json_writer out;
    write_message(out, m);
    return nlohmann::json::parse(out.text());
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
