#include "poki/reservations/reservation_routes.hpp"

#include <limits>

#include "poki/auth/bearer.hpp"
#include "poki/core/json_reader.hpp"
#include "poki/core/timestamp.hpp"
#include "poki/http/idempotency.hpp"
#include "poki/http/json_body.hpp"
#include "poki/http/query_params.hpp"
#include "poki/http/responses.hpp"
#include "poki/missions/mission_fields.hpp"
#include "poki/reservations/reservation_json.hpp"
#include "poki/schedule/schedule_json.hpp"

namespace poki::reservations {
namespace {

using missions::description_rule;
using missions::tag_rule;
using missions::title_rule;
using std::chrono::sys_seconds;

constexpr int max_due_minutes = 43200;  // 30 days
constexpr std::chrono::seconds default_window = std::chrono::days{31};
constexpr std::chrono::seconds max_window = std::chrono::days{366};

std::optional<int> due_minutes(json_reader& in) {
    const auto minutes = in.optional_integer("due_minutes", 1, max_due_minutes);
    if (!minutes) {
        return std::nullopt;
    }
    return static_cast<int>(*minutes);
}

new_reservation read_new(const nlohmann::json& body, const missions_config& cfg) {
    json_reader in{body};
    in.reject_unknown({"child_id", "title", "description", "tag", "reward", "due_minutes",
                       "starts_on", "at", "repeat"});
    new_reservation r;
    r.mission.child_id =
        in.required_integer("child_id", 1, std::numeric_limits<std::int64_t>::max());
    r.mission.title = in.required_string("title", title_rule);
    r.mission.description = in.optional_string("description", description_rule).value_or("");
    r.mission.tag = in.optional_string("tag", tag_rule);
    r.mission.reward = static_cast<int>(in.required_integer("reward", 1, cfg.max_reward));
    r.mission.due_minutes = due_minutes(in);
    r.when = schedule::read_recurrence(in, body);
    in.finish();
    return r;
}

reservation_patch read_patch(const nlohmann::json& body, const missions_config& cfg) {
    json_reader in{body};
    in.reject_unknown(
        {"title", "description", "tag", "reward", "due_minutes", "starts_on", "at", "repeat"});
    reservation_patch patch;
    patch.title = in.optional_string("title", title_rule);
    patch.description = in.optional_string("description", description_rule);
    if (in.has("tag")) {  // null clears it
        patch.tag = in.optional_string("tag", tag_rule);
    }
    if (const auto reward = in.optional_integer("reward", 1, cfg.max_reward)) {
        patch.reward = static_cast<int>(*reward);
    }
    if (in.has("due_minutes")) {
        patch.due_minutes = due_minutes(in);
    }
    // A new schedule is given whole: starts_on and at together, repeat with them.
    if (in.has("starts_on") || in.has("at") || in.has("repeat")) {
        patch.when = schedule::read_recurrence(in, body);
    }
    in.finish();
    return patch;
}

occurrence_change read_change(const http::request_context& ctx, const nlohmann::json& body) {
    const auto day = schedule::parse_date(ctx.params.text("date"));
    if (!day) {
        throw error::validation("date", "not_a_date", "The path's date must be like 2026-12-07.");
    }
    json_reader in{body};
    in.reject_unknown({"skip", "move_to"});
    const auto skip = in.optional_bool("skip");
    const auto to = in.optional_string("move_to", {.min_chars = 1, .max_chars = 19});
    occurrence_change change{*day, std::nullopt};
    if (to) {
        change.move_to = schedule::parse_local_time(*to);
        if (!change.move_to) {
            in.add_error("move_to", "not_a_local_time",
                         "Must be a local date and time like 2026-12-08T18:00.");
        }
    }
    if (skip.value_or(false) == to.has_value()) {
        in.add_error("skip", "one_of", "Give skip: true or move_to, one of them.");
    }
    in.finish();
    return change;
}

http::response reservation_response(const reservation& r) {
    return http::json_text_response(http::status::ok, json_text(r, write_reservation));
}

struct reservation_handlers {
    reservation_service& reservations;
    auth::auth_service& auth;
    const missions_config& missions;

    [[nodiscard]] awaitable<http::response> create(http::request_context& ctx) const {
        const auto who = co_await auth::require_parent(ctx, auth);
        auto input = read_new(http::read_json_body(ctx), missions);
        auto key = http::request_key_of(ctx, who.user_id);
        const auto made = co_await reservations.create(who, std::move(input), std::move(key));
        co_return http::keyed_response(made);
    }

    [[nodiscard]] awaitable<http::response> list(http::request_context& ctx) const {
        const auto who = co_await auth::require_principal(ctx, auth);
        reservation_filter filter;
        filter.child_id =
            http::integer_param(ctx, "child_id", 1, std::numeric_limits<std::int64_t>::max());
        filter.before = http::page_cursor(ctx);
        filter.limit = http::page_limit(ctx);
        const auto page = co_await reservations.list(who, filter);
        co_return http::json_text_response(http::status::ok, page_text(page, write_reservation));
    }

    [[nodiscard]] awaitable<http::response> get(http::request_context& ctx) const {
        const auto who = co_await auth::require_principal(ctx, auth);
        const auto r = co_await reservations.get(who, ctx.params.integer("id"));
        co_return reservation_response(r);
    }

    [[nodiscard]] awaitable<http::response> update(http::request_context& ctx) const {
        const auto who = co_await auth::require_parent(ctx, auth);
        auto patch = read_patch(http::read_json_body(ctx), missions);
        const auto r =
            co_await reservations.update(who, ctx.params.integer("id"), std::move(patch));
        co_return reservation_response(r);
    }

    [[nodiscard]] awaitable<http::response> pause(http::request_context& ctx) const {
        const auto who = co_await auth::require_parent(ctx, auth);
        const auto r = co_await reservations.pause(who, ctx.params.integer("id"));
        co_return reservation_response(r);
    }

    [[nodiscard]] awaitable<http::response> resume(http::request_context& ctx) const {
        const auto who = co_await auth::require_parent(ctx, auth);
        const auto r = co_await reservations.resume(who, ctx.params.integer("id"));
        co_return reservation_response(r);
    }

    [[nodiscard]] awaitable<http::response> remove(http::request_context& ctx) const {
        const auto who = co_await auth::require_parent(ctx, auth);
        co_await reservations.remove(who, ctx.params.integer("id"));
        co_return http::empty_response(http::status::no_content);
    }

    [[nodiscard]] awaitable<http::response> occurrences(http::request_context& ctx) const {
        const auto who = co_await auth::require_principal(ctx, auth);
        const auto range = http::window_params(ctx, default_window, max_window);
        const auto found =
            co_await reservations.occurrences(who, ctx.params.integer("id"), range.from, range.to);
        auto items = nlohmann::json::array();
        for (const auto& o : found) {
            items.push_back(occurrence_json(o));
        }
        co_return http::json_response(http::status::ok, {{"items", std::move(items)}});
    }

    [[nodiscard]] awaitable<http::response> change_occurrence(http::request_context& ctx) const {
        const auto who = co_await auth::require_parent(ctx, auth);
        auto change = read_change(ctx, http::read_json_body(ctx));
        const auto r =
            co_await reservations.change_occurrence(who, ctx.params.integer("id"), change);
        co_return reservation_response(r);
    }
};

}  // namespace

void add_reservation_routes(http::router& routes, reservation_service& reservations,
                            auth::auth_service& auth, const missions_config& missions) {
    const reservation_handlers h{reservations, auth, missions};
    using http::verb;
    const std::string one = "/api/v1/reservations/{id:int}";
    routes.add(verb::post, "/api/v1/reservations",
               http::handler_of(h, &reservation_handlers::create));
    routes.add(verb::get, "/api/v1/reservations", http::handler_of(h, &reservation_handlers::list));
    routes.add(verb::get, one, http::handler_of(h, &reservation_handlers::get));
    routes.add(verb::patch, one, http::handler_of(h, &reservation_handlers::update));
    routes.add(verb::delete_, one, http::handler_of(h, &reservation_handlers::remove));
    routes.add(verb::post, one + "/pause", http::handler_of(h, &reservation_handlers::pause));
    routes.add(verb::post, one + "/resume", http::handler_of(h, &reservation_handlers::resume));
    routes.add(verb::get, one + "/occurrences",
               http::handler_of(h, &reservation_handlers::occurrences));
    routes.add(verb::put, one + "/occurrences/{date}",
               http::handler_of(h, &reservation_handlers::change_occurrence));
}

}  // namespace poki::reservations
