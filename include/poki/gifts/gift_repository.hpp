// SQL for the gift catalog and wishlists.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <pqxx/pqxx>

#include "poki/db/pool.hpp"
#include "poki/db/read_pipeline.hpp"
#include "poki/gifts/gift_types.hpp"

namespace poki::gifts {

class gift_repository {
  public:
    static void declare_statements(db::pool& database);

    /// The text search statement, for checking its plan (it must use the trigram index).
    [[nodiscard]] static std::string text_search_sql();

    static awaitable<gift_page> search(db::read_pipeline& reads, const gift_query& query);
    /// The same statement inside a transaction, and as a read of its own.
    static std::optional<gift> find(pqxx::transaction_base& tx, std::int64_t id);
    static awaitable<std::optional<gift>> find(db::read_pipeline& reads, std::int64_t id);

    /// Items not removed, oldest first, `picked` marking the open board's gift.
    /// Oldest first, items after `after` (an item id) when given.
    static page<wish_item> wishlist(pqxx::transaction_base& tx, std::int64_t child_id,
                                    std::optional<std::int64_t> after, int limit);
    static int active_count(pqxx::transaction_base& tx, std::int64_t child_id);
    /// The catalog gift already on the list and not given yet.
    static std::optional<wish_item> wished_gift(pqxx::transaction_base& tx, std::int64_t child_id,
                                                std::int64_t gift_id);
    /// nullopt when the same catalog gift went onto the list meanwhile.
    static std::optional<wish_item> add(pqxx::transaction_base& tx, std::int64_t child_id,
                                        std::int64_t family_id, const new_wish& item,
                                        std::optional<int> price_won);
    /// Hides the item and takes it off the open board; false when there is no such item.
    static bool remove(pqxx::transaction_base& tx, std::int64_t child_id, std::int64_t item_id);
};

}  // namespace poki::gifts
