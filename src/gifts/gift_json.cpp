#include "poki/gifts/gift_json.hpp"

#include "poki/core/json_value.hpp"

namespace poki::gifts {

nlohmann::json gift_json(const gift& g) {
    return {{"id", g.id},
            {"name", g.name},
            {"name_en", g.name_en},
            {"description", g.description},
            {"price_won", g.price_won},
            {"age", {{"min", g.min_age}, {"max", g.max_age}}},
            {"category", g.category},
            {"image_url", g.image_url},
            {"popularity", g.popularity}};
}

nlohmann::json wish_json(const wish_item& w) {
    return {{"id", w.id},
            {"child_id", w.child_id},
            {"gift_id", or_null(w.gift_id)},
            {"name", w.name},
            {"link_url", or_null(w.link_url)},
            {"image_url", or_null(w.image_url)},
            {"price_won", or_null(w.price_won)},
            {"picked", w.picked},
            {"given_at", or_null(w.given_at)},
            {"created_at", w.created_at}};
}

}  // namespace poki::gifts
