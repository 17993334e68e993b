// The gift catalog and children's wishlists as the gift service hands them out.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "poki/core/paging.hpp"

namespace poki::gifts {

struct gift {
    std::int64_t id = 0;
    std::string name;  ///< Korean
    std::string name_en;
    std::string description;
    int price_won = 0;
    int min_age = 0;
    int max_age = 99;
    std::string category;
    std::string image_url;
    int popularity = 0;
};

enum class gift_sort { relevance, price_asc, price_desc, popular };

struct gift_query {
    std::optional<std::string> text;  ///< words to look for, any language, typos allowed
    std::optional<std::string> category;
    std::optional<int> min_price;
    std::optional<int> max_price;
    std::optional<int> age;
    gift_sort sort = gift_sort::relevance;
    int offset = 0;
    int limit = 20;
};

/// A search's next_cursor is the position of its next page in the same search.
using gift_page = page<gift>;

struct wish_item {
    std::int64_t id = 0;
    std::int64_t child_id = 0;
    std::optional<std::int64_t> gift_id;
    std::string name;
    std::optional<std::string> link_url;
    std::optional<std::string> image_url;
    std::optional<int> price_won;
    bool picked = false;  ///< the gift of the child's open board
    std::optional<std::string> given_at;
    std::string created_at;
};

/// A catalog gift (gift_id) or a free item (name, with an optional link and image).
struct new_wish {
    std::optional<std::int64_t> gift_id;
    std::optional<std::string> name;
    std::optional<std::string> link_url;
    std::optional<std::string> image_url;
};

}  // namespace poki::gifts
