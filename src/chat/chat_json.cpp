#include "poki/chat/chat_json.hpp"

#include "poki/core/json_value.hpp"

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
        .field("kind", to_string(m.kind))
        .field("text", m.text)
        .field("deleted", !m.text.has_value())
        .field("created_at", m.created_at)
        .end_object();
}

nlohmann::json message_json(const message& m) {
    return json_value_of(m, write_message);
}

namespace {

void write_room_fields(json_writer& out, const room& r) {
    out.field("id", r.id).field("kind", r.kind == room_kind::family ? "family" : "direct");
    if (r.kind == room_kind::direct) {
        out.key("member_ids").begin_array().value(*r.member_a).value(*r.member_b).end_array();
    }
}

}  // namespace

void write_room(json_writer& out, const room& r) {
    out.begin_object();
    write_room_fields(out, r);
    out.end_object();
}

nlohmann::json room_json(const room& r) {
    return json_value_of(r, write_room);
}

void write_room_summary(json_writer& out, const room_summary& s) {
    out.begin_object();
    write_room_fields(out, s.info);
    out.key("last_message");
    if (s.last) {
        write_message(out, *s.last);
    } else {
        out.null();
    }
    out.field("unread", s.unread).field("last_activity_at", s.last_at).end_object();
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
