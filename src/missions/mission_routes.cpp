#include "poki/missions/mission_routes.hpp"

#include <limits>

#include "poki/auth/bearer.hpp"
#include "poki/core/json_reader.hpp"
#include "poki/core/timestamp.hpp"
#include "poki/http/idempotency.hpp"
#include "poki/http/json_body.hpp"
#include "poki/http/query_params.hpp"
#include "poki/http/responses.hpp"
#include "poki/missions/mission_json.hpp"

namespace poki::missions {
namespace {

constexpr string_rule title_rule{.min_chars = 1, .max_chars = 100};
constexpr string_rule description_rule{.min_chars = 0, .max_chars = 2000};
constexpr string_rule tag_rule{.min_chars = 1, .max_chars = 30};
constexpr string_rule note_rule{.min_chars = 0, .max_chars = 1000};
constexpr string_rule reason_rule{.min_chars = 1, .max_chars = 1000};

/// `due_at`: RFC 3339 with a zone, still ahead; returned in UTC.
std::optional<std::string> due_time(json_reader& in) {
    const auto text = in.optional_string("due_at", {.min_chars = 1, .max_chars = 40});
    if (!text) {
        return std::nullopt;
    }
    const auto parsed = parse_rfc3339(*text);
    if (!parsed) {
        in.add_error("due_at",
                     "Must be an RFC 3339 time with a zone, like 2026-12-24T18:00:00+09:00.");
        return std::nullopt;
    }
    if (*parsed <= std::chrono::system_clock::now()) {
        in.add_error("due_at", "Must lie in the future.");
        return std::nullopt;
    }
    return format_rfc3339(*parsed);
}

bool has_member(const nlohmann::json& body, std::string_view name) {
    return body.is_object() && body.contains(name);
}

http::response mission_response(const mission& m) {
    return http::json_response(http::status::ok, mission_json(m));
}

}  // namespace

void add_mission_routes(http::router& routes, mission_service& missions, auth::auth_service& auth,
                        const missions_config& cfg) {
    routes.add(
        http::verb::post, "/api/v1/missions",
        [&missions, &auth, &cfg](http::request_context& ctx) -> awaitable<http::response> {
            const auto who = co_await auth::require_parent(ctx, auth);
            const auto& body = http::read_json_body(ctx);
            json_reader in{body};
            in.reject_unknown({"child_id", "title", "description", "tag", "reward", "due_at"});
            new_mission input;
            input.child_id =
                in.required_integer("child_id", 1, std::numeric_limits<std::int64_t>::max());
            input.title = in.required_string("title", title_rule);
            input.description = in.optional_string("description", description_rule).value_or("");
            input.tag = in.optional_string("tag", tag_rule);
            input.reward = static_cast<int>(in.required_integer("reward", 1, cfg.max_reward));
            input.due_at = due_time(in);
            in.finish();
            const auto made = co_await missions.create(who, std::move(input),
                                                       http::request_key_of(ctx, who.user_id));
            co_return http::keyed_response(made);
        });

    routes.add(http::verb::get, "/api/v1/missions",
               [&missions, &auth](http::request_context& ctx) -> awaitable<http::response> {
                   const auto who = co_await auth::require_principal(ctx, auth);
                   mission_filter filter;
                   filter.child_id = http::integer_param(ctx, "child_id", 1,
                                                         std::numeric_limits<std::int64_t>::max());
                   if (const auto status = ctx.query_param("status")) {
                       filter.status = parse_mission_status(*status);
                       if (!filter.status) {
                           throw error::validation("status",
                                                   "Must be one of assigned, submitted, approved,"
                                                   " rejected, expired.");
                       }
                   }
                   filter.before = http::integer_param(ctx, "cursor", 1,
                                                       std::numeric_limits<std::int64_t>::max());
                   filter.limit = http::page_limit(ctx);
                   const auto page = co_await missions.list(who, filter);
                   auto items = nlohmann::json::array();
                   for (const auto& m : page.items) {
                       items.push_back(mission_json(m));
                   }
                   nlohmann::json out{{"items", std::move(items)}};
                   out["next_cursor"] = page.next_cursor ? nlohmann::json(*page.next_cursor)
                                                         : nlohmann::json(nullptr);
                   co_return http::json_response(http::status::ok, out);
               });

    routes.add(http::verb::get, "/api/v1/missions/{id:int}",
               [&missions, &auth](http::request_context& ctx) -> awaitable<http::response> {
                   const auto who = co_await auth::require_principal(ctx, auth);
                   co_return mission_response(co_await missions.get(who, ctx.params.integer("id")));
               });

    routes.add(http::verb::patch, "/api/v1/missions/{id:int}",
               [&missions, &auth, &cfg](http::request_context& ctx) -> awaitable<http::response> {
                   const auto who = co_await auth::require_parent(ctx, auth);
                   const auto& body = http::read_json_body(ctx);
                   json_reader in{body};
                   in.reject_unknown({"title", "description", "tag", "reward", "due_at"});
                   mission_patch patch;
                   patch.title = in.optional_string("title", title_rule);
                   patch.description = in.optional_string("description", description_rule);
                   if (has_member(body, "tag")) {
                       patch.tag = in.optional_string("tag", tag_rule);
                   }
                   if (const auto reward = in.optional_integer("reward", 1, cfg.max_reward)) {
                       patch.reward = static_cast<int>(*reward);
                   }
                   if (has_member(body, "due_at")) {
                       patch.due_at = due_time(in);
                   }
                   in.finish();
                   const auto m =
                       co_await missions.update(who, ctx.params.integer("id"), std::move(patch));
                   co_return mission_response(m);
               });

    routes.add(http::verb::delete_, "/api/v1/missions/{id:int}",
               [&missions, &auth](http::request_context& ctx) -> awaitable<http::response> {
                   const auto who = co_await auth::require_parent(ctx, auth);
                   co_await missions.remove(who, ctx.params.integer("id"));
                   co_return http::empty_response(http::status::no_content);
               });

    routes.add(http::verb::post, "/api/v1/missions/{id:int}/submit",
               [&missions, &auth](http::request_context& ctx) -> awaitable<http::response> {
                   const auto who = co_await auth::require_principal(ctx, auth);
                   std::optional<std::string> note;
                   if (!ctx.req.body().empty()) {  // the note is optional, and so is the body
                       const auto& body = http::read_json_body(ctx);
                       json_reader in{body};
                       in.reject_unknown({"note"});
                       note = in.optional_string("note", note_rule);
                       in.finish();
                   }
                   const auto done =
                       co_await missions.submit(who, ctx.params.integer("id"), std::move(note));
                   co_return mission_response(done.after);
               });

    routes.add(http::verb::post, "/api/v1/missions/{id:int}/approve",
               [&missions, &auth](http::request_context& ctx) -> awaitable<http::response> {
                   const auto who = co_await auth::require_parent(ctx, auth);
                   const auto done = co_await missions.approve(who, ctx.params.integer("id"));
                   co_return mission_response(done.after);
               });

    routes.add(http::verb::post, "/api/v1/missions/{id:int}/reject",
               [&missions, &auth](http::request_context& ctx) -> awaitable<http::response> {
                   const auto who = co_await auth::require_parent(ctx, auth);
                   const auto& body = http::read_json_body(ctx);
                   json_reader in{body};
                   in.reject_unknown({"reason"});
                   auto reason = in.required_string("reason", reason_rule);
                   in.finish();
                   const auto done =
                       co_await missions.reject(who, ctx.params.integer("id"), std::move(reason));
                   co_return mission_response(done.after);
               });
}

}  // namespace poki::missions
