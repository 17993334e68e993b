#include "poki/missions/mission_routes.hpp"

#include <limits>

#include "poki/auth/bearer.hpp"
#include "poki/core/json_reader.hpp"
#include "poki/core/json_value.hpp"
#include "poki/core/timestamp.hpp"
#include "poki/http/idempotency.hpp"
#include "poki/http/json_body.hpp"
#include "poki/http/query_params.hpp"
#include "poki/http/responses.hpp"
#include "poki/missions/mission_fields.hpp"
#include "poki/missions/mission_json.hpp"

namespace poki::missions {
namespace {

constexpr string_rule note_rule{.min_chars = 0, .max_chars = 1000};
constexpr string_rule reason_rule{.min_chars = 1, .max_chars = 1000};

http::response mission_response(const mission& m) {
    return http::json_response(http::status::ok, mission_json(m));
}

new_mission read_new_mission(const nlohmann::json& body, const missions_config& cfg) {
    json_reader in{body};
    in.reject_unknown({"child_id", "title", "description", "tag", "reward", "due_at"});
    new_mission input;
    input.child_id = in.required_integer("child_id", 1, std::numeric_limits<std::int64_t>::max());
    input.title = in.required_string("title", title_rule);
    input.description = in.optional_string("description", description_rule).value_or("");
    input.tag = in.optional_string("tag", tag_rule);
    input.reward = static_cast<int>(in.required_integer("reward", 1, cfg.max_reward));
    input.due_at = read_due_at(in);
    in.finish();
    return input;
}

mission_patch read_patch(const nlohmann::json& body, const missions_config& cfg) {
    json_reader in{body};
    in.reject_unknown({"title", "description", "tag", "reward", "due_at"});
    mission_patch patch;
    patch.title = in.optional_string("title", title_rule);
    patch.description = in.optional_string("description", description_rule);
    if (in.has("tag")) {  // null clears it
        patch.tag = in.optional_string("tag", tag_rule);
    }
    if (const auto reward = in.optional_integer("reward", 1, cfg.max_reward)) {
        patch.reward = static_cast<int>(*reward);
    }
    if (in.has("due_at")) {
        patch.due_at = read_due_at(in);
    }
    in.finish();
    return patch;
}

mission_filter read_filter(const http::request_context& ctx) {
    mission_filter filter;
    filter.child_id =
        http::integer_param(ctx, "child_id", 1, std::numeric_limits<std::int64_t>::max());
    if (const auto status = ctx.query_param("status")) {
        filter.status = parse_mission_status(*status);
        if (!filter.status) {
            throw error::validation(
                "status", "not_allowed",
                "Must be one of assigned, submitted, approved, rejected, expired.");
        }
    }
    filter.before = http::page_cursor(ctx);
    filter.limit = http::page_limit(ctx);
    return filter;
}

struct mission_handlers {
    mission_service& missions;
    auth::auth_service& auth;
    const missions_config& config;

    [[nodiscard]] awaitable<http::response> create(http::request_context& ctx) const {
        const auto who = co_await auth::require_parent(ctx, auth);
        auto input = read_new_mission(http::read_json_body(ctx), config);
        auto key = http::request_key_of(ctx, who.user_id);
        const auto made = co_await missions.create(who, std::move(input), std::move(key));
        co_return http::keyed_response(made);
    }

    [[nodiscard]] awaitable<http::response> list(http::request_context& ctx) const {
        const auto who = co_await auth::require_principal(ctx, auth);
        auto filter = read_filter(ctx);  // not const: see grape_routes (a g++ 12 ICE)
        const auto page = co_await missions.list(who, filter);
        co_return http::json_text_response(http::status::ok, page_text(page, write_mission));
    }

    [[nodiscard]] awaitable<http::response> get(http::request_context& ctx) const {
        const auto who = co_await auth::require_principal(ctx, auth);
        const auto m = co_await missions.get(who, ctx.params.integer("id"));
        co_return mission_response(m);
    }

    [[nodiscard]] awaitable<http::response> update(http::request_context& ctx) const {
        const auto who = co_await auth::require_parent(ctx, auth);
        auto patch = read_patch(http::read_json_body(ctx), config);
        const auto m = co_await missions.update(who, ctx.params.integer("id"), std::move(patch));
        co_return mission_response(m);
    }

    [[nodiscard]] awaitable<http::response> remove(http::request_context& ctx) const {
        const auto who = co_await auth::require_parent(ctx, auth);
        co_await missions.remove(who, ctx.params.integer("id"));
        co_return http::empty_response(http::status::no_content);
    }

    [[nodiscard]] awaitable<http::response> submit(http::request_context& ctx) const {
        const auto who = co_await auth::require_principal(ctx, auth);
        std::optional<std::string> note;
        if (!ctx.req.body().empty()) {  // the note is optional, and so is the body
            json_reader in{http::read_json_body(ctx)};
            in.reject_unknown({"note"});
            note = in.optional_string("note", note_rule);
            in.finish();
        }
        const auto done = co_await missions.submit(who, ctx.params.integer("id"), std::move(note));
        co_return mission_response(done.after);
    }

    [[nodiscard]] awaitable<http::response> approve(http::request_context& ctx) const {
        const auto who = co_await auth::require_parent(ctx, auth);
        const auto done = co_await missions.approve(who, ctx.params.integer("id"));
        co_return mission_response(done.after);
    }

    [[nodiscard]] awaitable<http::response> reject(http::request_context& ctx) const {
        const auto who = co_await auth::require_parent(ctx, auth);
        json_reader in{http::read_json_body(ctx)};
        in.reject_unknown({"reason"});
        auto reason = in.required_string("reason", reason_rule);
        in.finish();
        const auto done =
            co_await missions.reject(who, ctx.params.integer("id"), std::move(reason));
        co_return mission_response(done.after);
    }
};

}  // namespace

void add_mission_routes(http::router& routes, mission_service& missions, auth::auth_service& auth,
                        const missions_config& cfg) {
    const mission_handlers h{missions, auth, cfg};
    using http::verb;
    const std::string one = "/api/v1/missions/{id:int}";
    routes.add(verb::post, "/api/v1/missions", http::handler_of(h, &mission_handlers::create));
    routes.add(verb::get, "/api/v1/missions", http::handler_of(h, &mission_handlers::list));
    routes.add(verb::get, one, http::handler_of(h, &mission_handlers::get));
    routes.add(verb::patch, one, http::handler_of(h, &mission_handlers::update));
    routes.add(verb::delete_, one, http::handler_of(h, &mission_handlers::remove));
    routes.add(verb::post, one + "/submit", http::handler_of(h, &mission_handlers::submit));
    routes.add(verb::post, one + "/approve", http::handler_of(h, &mission_handlers::approve));
    routes.add(verb::post, one + "/reject", http::handler_of(h, &mission_handlers::reject));
}

}  // namespace poki::missions
