#include "poki/ideas/idea_json.hpp"

namespace poki::ideas {

void write_idea(json_writer& out, const idea& i) {
    out.begin_object()
        .field("id", i.id)
        .field("tag", i.tag)
        .field("title", i.title)
        .field("description", i.description)
        .field("reward", i.reward)
        .end_object();
}

std::string answer_text(const idea_answer& answer) {
    json_writer out;
    out.begin_object().key("tag").begin_object();
    out.field("key", answer.tag.key)
        .field("label", answer.tag.label)
        .field("known", answer.tag.known);
    out.end_object()
        .field("age_band", to_string(answer.band))
        .field("source", answer.source)
        .key("items")
        .begin_array();
    for (const auto& i : answer.items) {
        write_idea(out, i);
    }
    out.end_array().end_object();
    return std::move(out).take();
}

}  // namespace poki::ideas
