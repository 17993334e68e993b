#include "poki/gifts/gift_routes.hpp"

#include <limits>

#include "poki/auth/bearer.hpp"
#include "poki/core/json_reader.hpp"
#include "poki/gifts/gift_json.hpp"
#include "poki/http/client.hpp"
#include "poki/http/idempotency.hpp"
#include "poki/http/json_body.hpp"
#include "poki/http/query_params.hpp"
#include "poki/http/responses.hpp"

namespace poki::gifts {
namespace {

constexpr int max_price = 100'000'000;
constexpr std::array categories{"toys",       "blocks",  "dolls",       "board_games", "books",
                                "stationery", "sports",  "electronics", "art",         "science",
                                "music",      "fashion", "experiences"};

gift_query read_query(const http::request_context& ctx) {
    gift_query query;
    std::vector<field_error> errors;
    if (auto q = ctx.query_param("q")) {
        const auto length = utf8_length(*q);
        if (!length || *length > 100) {
            errors.push_back(
                {"q", "Must be UTF-8 text of at most 100 characters.", "too_long", {{"max", 100}}});
        } else {
            // Words separated by any run of spaces search as one phrase.
            std::string words;
            for (const char c : *q) {
                if (c == ' ' || c == '\t') {
                    if (!words.empty() && words.back() != ' ') {
                        words.push_back(' ');
                    }
                } else {
                    words.push_back(c);
                }
            }
            while (!words.empty() && words.back() == ' ') {
                words.pop_back();
            }
            if (!words.empty()) {
                query.text = std::move(words);
            }
        }
    }
    if (auto category = ctx.query_param("category")) {
        if (std::find(categories.begin(), categories.end(), *category) == categories.end()) {
            errors.push_back({"category", "Unknown category.", "not_allowed", {}});
        } else {
            query.category = std::move(*category);
        }
    }
    const auto price = [&ctx](std::string_view name) -> std::optional<int> {
        const auto value = http::integer_param(ctx, name, 0, max_price);
        return value ? std::optional{static_cast<int>(*value)} : std::nullopt;
    };
    query.min_price = price("min_price");
    query.max_price = price("max_price");
    if (query.min_price && query.max_price && *query.min_price > *query.max_price) {
        errors.push_back({"max_price", "Must not be below min_price.", "below_min_price", {}});
    }
    if (const auto age = http::integer_param(ctx, "age", 0, 99)) {
        query.age = static_cast<int>(*age);
    }
    if (const auto sort = ctx.query_param("sort")) {
        if (*sort == "relevance") {
            query.sort = gift_sort::relevance;
        } else if (*sort == "price_asc") {
            query.sort = gift_sort::price_asc;
        } else if (*sort == "price_desc") {
            query.sort = gift_sort::price_desc;
        } else if (*sort == "popular") {
            query.sort = gift_sort::popular;
        } else {
            errors.push_back({"sort",
                              "Must be relevance, price_asc, price_desc or popular.",
                              "not_allowed",
                              {}});
        }
    }
    // The cursor is the position of the next page in the same search.
    query.offset = static_cast<int>(http::integer_param(ctx, "cursor", 0, 10'000).value_or(0));
    query.limit = http::page_limit(ctx);
    if (!errors.empty()) {
        throw error::validation(std::move(errors));
    }
    return query;
}

std::optional<std::string> url_field(json_reader& in, std::string_view name) {
    auto value = in.optional_string(name, {.min_chars = 1, .max_chars = 2000});
    if (value && !is_web_url(*value)) {
        in.add_error(name, "not_http_url", "Must be an http:// or https:// address.");
        return std::nullopt;
    }
    return value;
}

new_wish read_wish(const nlohmann::json& body) {
    json_reader in{body};
    in.reject_unknown({"gift_id", "name", "link_url", "image_url"});
    new_wish item;
    item.gift_id = in.optional_integer("gift_id", 1, std::numeric_limits<std::int64_t>::max());
    item.name = in.optional_string("name", {.min_chars = 1, .max_chars = 100});
    item.link_url = url_field(in, "link_url");
    item.image_url = url_field(in, "image_url");
    if (item.gift_id && (item.name || item.link_url || item.image_url)) {
        in.add_error("gift_id", "gift_or_name",
                     "A catalog gift comes with its own name and image.");
    }
    if (!item.gift_id && !item.name && in.ok()) {
        in.add_error("name", "gift_or_name", "Give a catalog gift_id, or a name.");
    }
    in.finish();
    return item;
}

}  // namespace

bool is_web_url(std::string_view text) {
    const bool clean = std::all_of(text.begin(), text.end(), [](char c) {
        return static_cast<unsigned char>(c) > ' ' && c != 0x7F;
    });
    if (text.size() > 2000 || !clean) {
        return false;
    }
    const auto url = http::parse_url(text);
    return url && !url->host.empty();
}

namespace {

struct gift_handlers {
    gift_service& gifts;
    auth::auth_service& auth;

    [[nodiscard]] awaitable<http::response> search(http::request_context& ctx) const {
        (void)co_await auth::require_principal(ctx, auth);
        auto query = read_query(ctx);
        const auto found = co_await gifts.search(std::move(query));
        co_return http::json_text_response(http::status::ok, page_text(found, write_gift));
    }

    [[nodiscard]] awaitable<http::response> one_gift(http::request_context& ctx) const {
        (void)co_await auth::require_principal(ctx, auth);
        const auto g = co_await gifts.get(ctx.params.integer("id"));
        co_return http::json_text_response(http::status::ok, json_text(g, write_gift));
    }

    [[nodiscard]] awaitable<http::response> wishlist(http::request_context& ctx) const {
        const auto who = co_await auth::require_principal(ctx, auth);
        const auto cursor = http::page_cursor(ctx);
        const auto limit = http::page_limit(ctx);
        const auto list = co_await gifts.wishlist(who, ctx.params.integer("id"), cursor, limit);
        co_return http::json_text_response(http::status::ok, page_text(list, write_wish));
    }

    [[nodiscard]] awaitable<http::response> add_wish(http::request_context& ctx) const {
        const auto who = co_await auth::require_principal(ctx, auth);
        auto item = read_wish(http::read_json_body(ctx));
        auto key = http::request_key_of(ctx, who.user_id);
        const auto made =
            co_await gifts.add_wish(who, ctx.params.integer("id"), std::move(item), std::move(key));
        co_return http::keyed_response(made);
    }

    [[nodiscard]] awaitable<http::response> remove_wish(http::request_context& ctx) const {
        const auto who = co_await auth::require_principal(ctx, auth);
        co_await gifts.remove_wish(who, ctx.params.integer("id"), ctx.params.integer("item_id"));
        co_return http::empty_response(http::status::no_content);
    }
};

}  // namespace

void add_gift_routes(http::router& routes, gift_service& gifts, auth::auth_service& auth) {
    const gift_handlers h{gifts, auth};
    using http::verb;
    routes.add(verb::get, "/api/v1/gifts", http::handler_of(h, &gift_handlers::search));
    routes.add(verb::get, "/api/v1/gifts/{id:int}", http::handler_of(h, &gift_handlers::one_gift));
    const std::string wishlist = "/api/v1/children/{id:int}/wishlist";
    routes.add(verb::get, wishlist, http::handler_of(h, &gift_handlers::wishlist));
    routes.add(verb::post, wishlist, http::handler_of(h, &gift_handlers::add_wish));
    routes.add(verb::delete_, wishlist + "/{item_id:int}",
               http::handler_of(h, &gift_handlers::remove_wish));
}

}  // namespace poki::gifts
