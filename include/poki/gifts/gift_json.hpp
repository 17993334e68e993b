// Gifts and wishlist items as the API (and their events) show them.
#pragma once

#include <nlohmann/json.hpp>

#include "poki/core/json_writer.hpp"
#include "poki/gifts/gift_types.hpp"

namespace poki::gifts {

/// A catalog gift as answers show it: the one list of its fields.
void write_gift(json_writer& out, const gift& g);
/// A wishlist item as answers show it.
void write_wish(json_writer& out, const wish_item& w);
/// The same as a JSON value, for keyed answers.
[[nodiscard]] nlohmann::json wish_json(const wish_item& w);

}  // namespace poki::gifts
