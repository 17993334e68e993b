// Gifts: the catalog (search in Korean or English, parts of words, small typos) and each
// child's wishlist, which the child edits and the parents see and pick a board's gift from.
#pragma once

#include <vector>

#include "poki/core/principal.hpp"
#include "poki/db/pool.hpp"
#include "poki/db/read_pipeline.hpp"
#include "poki/gifts/gift_types.hpp"
#include "poki/gifts/search_cache.hpp"
#include "poki/notify/event_service.hpp"

namespace poki::gifts {

class gift_service {
  public:
    gift_service(db::pool& database, db::read_pipeline& reads, notify::event_service& events);

    awaitable<gift_page> search(gift_query query);
    awaitable<gift> get(std::int64_t id);

    /// The child and the parents of the family.
    /// Oldest first; `after` is the previous page's next_cursor.
    awaitable<page<wish_item>> wishlist(principal who, std::int64_t child_id,
                                        std::optional<std::int64_t> after, int limit);
    /// The child, on their own list; the answer is the item (created false when the catalog
    /// gift was on it already), and a repeat with the same key answers it again.
    awaitable<keyed_answer> add_wish(principal who, std::int64_t child_id, new_wish item,
                                     std::optional<request_key> key = std::nullopt);
    awaitable<void> remove_wish(principal who, std::int64_t child_id, std::int64_t item_id);

    void render_metrics(std::string& out) const;

  private:
    db::pool& database_;
    db::read_pipeline& reads_;
    notify::event_service& events_;
    search_cache searches_{2048, std::chrono::seconds{60}};
};

}  // namespace poki::gifts
