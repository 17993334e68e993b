#include "poki/gifts/gift_json.hpp"

#include "poki/core/json_value.hpp"

namespace poki::gifts {

void write_gift(json_writer& out, const gift& g) {
    out.begin_object()
        .field("id", g.id)
        .field("name", g.name)
        .field("name_en", g.name_en)
        .field("description", g.description)
        .field("price_won", g.price_won)
        .key("age")
        .begin_object()
        .field("min", g.min_age)
        .field("max", g.max_age)
        .end_object()
        .field("category", g.category)
        .field("image_url", g.image_url)
        .field("popularity", g.popularity)
        .end_object();
}

void write_wish(json_writer& out, const wish_item& w) {
    out.begin_object()
        .field("id", w.id)
        .field("child_id", w.child_id)
        .field("gift_id", w.gift_id)
        .field("name", w.name)
        .field("link_url", w.link_url)
        .field("image_url", w.image_url)
        .field("price_won", w.price_won)
        .field("picked", w.picked)
        .field("given_at", w.given_at)
        .field("created_at", w.created_at)
        .end_object();
}

nlohmann::json wish_json(const wish_item& w) {
    return json_value_of(w, write_wish);
}

}  // namespace poki::gifts
