#include "poki/gifts/gift_repository.hpp"

#include "poki/db/nullable.hpp"
#include "poki/db/read_pipeline.hpp"
#include "poki/db/sql_text.hpp"
#include "poki/db/utc_time.hpp"

namespace poki::gifts {
namespace {

using db::sql;

constexpr std::string_view gift_columns =
    "id, name, name_en, description, price_won, min_age, max_age, category, image_url,"
    " popularity";

/// The filters, sort and page of a search, numbered from parameter `$first`: category,
/// min price, max price, age, sort, offset, limit.
struct numbered {
    int first;
    [[nodiscard]] std::string operator()(int i) const { return "$" + std::to_string(first + i); }
};

std::string filters(numbered p) {
    return sql({" AND (", p(0), "::text IS NULL OR category = ",  p(0), ")",
                " AND (", p(1), "::int IS NULL OR price_won >= ", p(1), ")",
                " AND (", p(2), "::int IS NULL OR price_won <= ", p(2), ")",
                " AND (", p(3), "::int IS NULL OR (min_age <= ",  p(3), " AND max_age >= ",
                p(3),     "))"});
}

std::string price_order(numbered p) {
    return sql({" CASE WHEN ", p(4), " = 'price_asc' THEN price_won END, CASE WHEN ", p(4),
                " = 'price_desc' THEN price_won END DESC,"});
}

std::string page(numbered p) {
    return sql({" OFFSET ", p(5), " LIMIT ", p(6)});
}

constexpr std::string_view wish_columns =
    "w.id, w.child_id, w.gift_id, w.name, w.link_url, w.image_url, w.price_won,"
    " EXISTS (SELECT 1 FROM grape_boards b WHERE b.child_id = w.child_id"
    "         AND b.redeemed_at IS NULL AND b.wish_item_id = w.id),"
    " w.given_at AT TIME ZONE 'UTC', w.created_at AT TIME ZONE 'UTC'";  // db/utc_time.hpp

// Anything the searcher typed is matched literally by LIKE.
std::string like_escaped(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (const char c : text) {
        if (c == '\\' || c == '%' || c == '_') {
            out.push_back('\\');
        }
        out.push_back(c);
    }
    return out;
}

std::string_view sort_name(gift_sort sort) {
    switch (sort) {
        case gift_sort::relevance:
            return "relevance";
        case gift_sort::price_asc:
            return "price_asc";
        case gift_sort::price_desc:
            return "price_desc";
        case gift_sort::popular:
            return "popular";
    }
    return "relevance";
}

template <class Row>
gift to_gift(const Row& r) {
    gift g;
    g.id = r[0].template as<std::int64_t>();
    g.name = r[1].template as<std::string>();
    g.name_en = r[2].template as<std::string>();
    g.description = r[3].template as<std::string>();
    g.price_won = r[4].template as<int>();
    g.min_age = r[5].template as<int>();
    g.max_age = r[6].template as<int>();
    g.category = r[7].template as<std::string>();
    g.image_url = r[8].template as<std::string>();
    g.popularity = r[9].template as<int>();
    return g;
}

wish_item to_wish(const pqxx::row& r) {
    wish_item w;
    w.id = r[0].as<std::int64_t>();
    w.child_id = r[1].as<std::int64_t>();
    w.gift_id = db::nullable<std::int64_t>(r[2]);
    w.name = r[3].as<std::string>();
    w.link_url = db::nullable<std::string>(r[4]);
    w.image_url = db::nullable<std::string>(r[5]);
    w.price_won = db::nullable<int>(r[6]);
    w.picked = r[7].as<bool>();
    w.given_at = db::nullable_utc_time(r[8]);
    w.created_at = db::utc_time(r[9]);
    return w;
}

}  // namespace

std::string gift_repository::text_search_sql() {
    // $1: the words; $2: the same, LIKE-escaped. A gift matches when it contains the text
    // or a stretch of it is close to the text (word_similarity, pg_trgm): both are answered
    // by the trigram index on search_text.
    const numbered p{3};
    return sql({"SELECT ", gift_columns,
                " FROM gifts WHERE (search_text LIKE '%' || lower($2::text) || '%'",
                " OR lower($1::text) <% search_text)", filters(p), " ORDER BY", price_order(p),
                " CASE WHEN ", p(4),
                " = 'relevance' THEN (search_text LIKE '%' || lower($2::text) || '%')",
                "::int + word_similarity(lower($1::text), search_text) END DESC,",
                " popularity DESC, id", page(p)});
}

void gift_repository::declare_statements(db::pool& database) {
    // How close a typo may be (pg_trgm's default 0.6 misses "dinosuar"); `<%` reads it.
    database.declare_setting("pg_trgm.word_similarity_threshold", "0.5");
    database.declare("gifts.search", text_search_sql());
    // Without words, relevance means popularity.
    const numbered p{1};
    database.declare("gifts.browse",
                     sql({"SELECT ", gift_columns, " FROM gifts WHERE true", filters(p),
                          " ORDER BY", price_order(p), " popularity DESC, id", page(p)}));
    database.declare("gifts.find", sql({"SELECT ", gift_columns, " FROM gifts WHERE id = $1"}));
    database.declare("gifts.wishlist",
                     sql({"SELECT ", wish_columns,
                          " FROM wishlist_items w WHERE w.child_id = $1 AND w.removed_at IS NULL",
                          " AND w.id > $2 ORDER BY w.id LIMIT $3"}));
    database.declare("gifts.wish_count",
                     "SELECT count(*) FROM wishlist_items WHERE child_id = $1"
                     " AND removed_at IS NULL AND given_at IS NULL");
    database.declare("gifts.wished_gift",
                     sql({"SELECT ", wish_columns,
                          " FROM wishlist_items w WHERE w.child_id = $1 AND w.gift_id = $2",
                          " AND w.removed_at IS NULL AND w.given_at IS NULL"}));
    database.declare(
        "gifts.add_wish",
        sql({"INSERT INTO wishlist_items AS w (child_id, family_id, gift_id, name,",
             " link_url, image_url, price_won) VALUES ($1, $2, $3, $4, $5, $6, $7)",
             " ON CONFLICT (child_id, gift_id) WHERE removed_at IS NULL",
             " AND given_at IS NULL AND gift_id IS NOT NULL DO NOTHING RETURNING ", wish_columns}));
    database.declare("gifts.remove_wish",
                     "UPDATE wishlist_items SET removed_at = now() WHERE id = $1 AND child_id = $2"
                     " AND removed_at IS NULL");
    database.declare("gifts.unpick",
                     "UPDATE grape_boards SET wish_item_id = NULL WHERE wish_item_id = $1"
                     " AND redeemed_at IS NULL");
}

awaitable<gift_page> gift_repository::search(db::read_pipeline& reads, const gift_query& query) {
    const std::string sort{sort_name(query.sort)};
    const int rows = rows_for_page(query.limit);
    auto params = query.text ? db::params(query.text, like_escaped(*query.text), query.category,
                                          query.min_price, query.max_price, query.age, sort,
                                          query.offset, rows)
                             : db::params(query.category, query.min_price, query.max_price,
                                          query.age, sort, query.offset, rows);
    const std::string_view statement = query.text ? "gifts.search" : "gifts.browse";
    const auto result = co_await reads.query(statement, std::move(params));
    auto found = db::rows_of<gift>(result, [](const auto& r) { return to_gift(r); });
    const std::int64_t next = query.offset + query.limit;
    co_return page_of(std::move(found), query.limit, [next](const gift&) { return next; });
}

std::optional<gift> gift_repository::find(pqxx::transaction_base& tx, std::int64_t id) {
    const auto rows = tx.exec_prepared("gifts.find", id);
    if (rows.empty()) {
        return std::nullopt;
    }
    return to_gift(rows[0]);
}

awaitable<std::optional<gift>> gift_repository::find(db::read_pipeline& reads, std::int64_t id) {
    const auto rows = co_await reads.query("gifts.find", db::params(id));
    if (rows.empty()) {
        co_return std::nullopt;
    }
    co_return to_gift(rows[0]);
}

poki::page<wish_item> gift_repository::wishlist(pqxx::transaction_base& tx, std::int64_t child_id,
                                                std::optional<std::int64_t> after, int limit) {
    std::vector<wish_item> rows;
    for (const auto& row :
         tx.exec_prepared("gifts.wishlist", child_id, after.value_or(0), rows_for_page(limit))) {
        rows.push_back(to_wish(row));
    }
    return page_of(std::move(rows), limit, [](const wish_item& w) { return w.id; });
}

int gift_repository::active_count(pqxx::transaction_base& tx, std::int64_t child_id) {
    return tx.exec_prepared1("gifts.wish_count", child_id)[0].as<int>();
}

std::optional<wish_item> gift_repository::wished_gift(pqxx::transaction_base& tx,
                                                      std::int64_t child_id, std::int64_t gift_id) {
    const auto rows = tx.exec_prepared("gifts.wished_gift", child_id, gift_id);
    if (rows.empty()) {
        return std::nullopt;
    }
    return to_wish(rows[0]);
}

std::optional<wish_item> gift_repository::add(pqxx::transaction_base& tx, std::int64_t child_id,
                                              std::int64_t family_id, const new_wish& item,
                                              std::optional<int> price_won) {
    const auto rows =
        tx.exec_prepared("gifts.add_wish", child_id, family_id, item.gift_id,
                         item.name.value_or(""), item.link_url, item.image_url, price_won);
    if (rows.empty()) {
        return std::nullopt;
    }
    return to_wish(rows[0]);
}

bool gift_repository::remove(pqxx::transaction_base& tx, std::int64_t child_id,
                             std::int64_t item_id) {
    if (tx.exec_prepared("gifts.remove_wish", item_id, child_id).affected_rows() == 0) {
        return false;
    }
    tx.exec_prepared("gifts.unpick", item_id);
    return true;
}

}  // namespace poki::gifts
