#include "poki/gifts/gift_service.hpp"

#include "poki/core/error.hpp"
#include "poki/core/metrics.hpp"
#include "poki/family/family_lookup.hpp"
#include "poki/gifts/gift_json.hpp"
#include "poki/gifts/gift_repository.hpp"

namespace poki::gifts {
namespace {

constexpr int max_wishes = 100;

/// Wishlists are the child's own: siblings do not see them, parents do.
void require_reader(principal who, std::int64_t child_id) {
    if (who.role == role::child && who.user_id != child_id) {
        throw error{errc::forbidden, "Only the child and their parents see a wishlist."};
    }
}

void require_owner(principal who, std::int64_t child_id) {
    if (who.user_id != child_id) {
        throw error{errc::forbidden, "wishlist_child_only",
                    "Only the child edits their own wishlist."};
    }
}

std::vector<notify::event_draft> tell_parents(pqxx::transaction_base& tx, principal who,
                                              std::int64_t child_id) {
    return family::drafts_for(family::member_ids(tx, who.family_id, role::parent),
                              "wishlist.changed", {{"child_id", child_id}});
}

}  // namespace

gift_service::gift_service(db::pool& database, db::read_pipeline& reads,
                           notify::event_service& events)
    : database_{database}, reads_{reads}, events_{events} {
    gift_repository::declare_statements(database_);
    family::declare_lookup_statements(database_);
}

awaitable<gift_page> gift_service::search(gift_query query) {
    if (auto kept = searches_.find(query)) {
        co_return std::move(*kept);
    }
    auto page = co_await gift_repository::search(reads_, query);
    searches_.store(query, page);
    co_return page;
}

awaitable<gift> gift_service::get(std::int64_t id) {
    auto found = co_await gift_repository::find(reads_, id);
    if (!found) {
        throw error{errc::not_found, "No such gift."};
    }
    co_return std::move(*found);
}

awaitable<page<wish_item>> gift_service::wishlist(principal who, std::int64_t child_id,
                                                  std::optional<std::int64_t> after, int limit) {
    auto load = [who, child_id, after, limit](pqxx::connection& c) {
        pqxx::nontransaction tx{c};  // a plain read: no BEGIN or COMMIT round trip
        family::require_child(tx, who.family_id, child_id);
        require_reader(who, child_id);
        return gift_repository::wishlist(tx, child_id, after, limit);
    };
    co_return co_await database_.run(std::move(load));
}

awaitable<keyed_answer> gift_service::add_wish(principal who, std::int64_t child_id, new_wish item,
                                               std::optional<request_key> key) {
    auto add = [who, child_id, item = std::move(item)](
                   pqxx::work& tx, notify::event_log& log) -> std::pair<wish_item, bool> {
        family::require_child(tx, who.family_id, child_id);
        require_owner(who, child_id);
        auto row = item;
        std::optional<int> price;
        if (item.gift_id) {
            if (auto already = gift_repository::wished_gift(tx, child_id, *item.gift_id)) {
                return {std::move(*already), false};
            }
            const auto g = gift_repository::find(tx, *item.gift_id);
            if (!g) {
                throw error::validation("gift_id", "unknown_gift", "No such gift in the catalog.");
            }
            row.name = g->name;
            row.image_url = g->image_url;
            price = g->price_won;
        }
        if (gift_repository::active_count(tx, child_id) >= max_wishes) {
            throw error{errc::conflict, "wishlist_full", "A wishlist holds at most 100 items."};
        }
        auto stored = gift_repository::add(tx, child_id, who.family_id, row, price);
        if (!stored) {  // a concurrent add of the same gift won
            return {gift_repository::wished_gift(tx, child_id, *item.gift_id).value(), false};
        }
        log.record(tell_parents(tx, who, child_id));
        return {std::move(*stored), true};
    };
    auto answer = [](const std::pair<wish_item, bool>& added) {
        return keyed_answer{wish_json(added.first), added.second};
    };
    co_return co_await events_.write_once(std::move(key), std::move(add), std::move(answer));
}

awaitable<void> gift_service::remove_wish(principal who, std::int64_t child_id,
                                          std::int64_t item_id) {
    auto remove = [who, child_id, item_id](pqxx::work& tx, notify::event_log& log) {
        family::require_child(tx, who.family_id, child_id);
        require_owner(who, child_id);
        if (!gift_repository::remove(tx, child_id, item_id)) {
            throw error{errc::not_found, "No such item on the wishlist."};
        }
        log.record(tell_parents(tx, who, child_id));
    };
    co_await events_.write(std::move(remove));
}

void gift_service::render_metrics(std::string& out) const {
    append_metric_header(out, "poki_gift_search_cache_hits_total", "counter",
                         "Catalog searches answered from this instance's recent answers.");
    append_metric(out, "poki_gift_search_cache_hits_total", "",
                  static_cast<double>(searches_.hits()));
    append_metric_header(out, "poki_gift_search_cache_misses_total", "counter",
                         "Catalog searches that went to PostgreSQL.");
    append_metric(out, "poki_gift_search_cache_misses_total", "",
                  static_cast<double>(searches_.misses()));
}

}  // namespace poki::gifts
