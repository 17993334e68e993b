// Gifts and wishlist items as the API (and their events) show them.
#pragma once

#include <nlohmann/json.hpp>

#include "poki/gifts/gift_types.hpp"

namespace poki::gifts {

[[nodiscard]] nlohmann::json gift_json(const gift& g);
[[nodiscard]] nlohmann::json wish_json(const wish_item& w);

}  // namespace poki::gifts
