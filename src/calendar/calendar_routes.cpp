#include "poki/calendar/calendar_routes.hpp"

#include <algorithm>
#include <limits>

#include "poki/auth/bearer.hpp"
#include "poki/calendar/calendar_json.hpp"
#include "poki/core/json_reader.hpp"
#include "poki/http/conditional.hpp"
#include "poki/http/idempotency.hpp"
#include "poki/http/json_body.hpp"
#include "poki/http/query_params.hpp"
#include "poki/http/responses.hpp"
#include "poki/schedule/schedule_json.hpp"

namespace poki::calendar {
namespace {

constexpr string_rule title_rule{.min_chars = 1, .max_chars = 100};
constexpr string_rule note_rule{.min_chars = 0, .max_chars = 2000};
constexpr string_rule location_rule{.min_chars = 1, .max_chars = 200};
constexpr std::size_t max_members = 50;
constexpr auto max_length = std::chrono::days{31};
constexpr std::chrono::seconds default_window = std::chrono::days{31};
constexpr std::chrono::seconds max_window = std::chrono::days{366};
constexpr std::string_view feed_suffix = ".ics";

/// all_day, start and end: dates (end its last day) or local times (end after start).
event_time read_time(json_reader& in) {
    event_time t;
    t.all_day = in.optional_bool("all_day").value_or(false);
    const auto start = in.required_string("start", {.min_chars = 1, .max_chars = 19});
    const auto end = in.required_string("end", {.min_chars = 1, .max_chars = 19});
    if (start.empty() || end.empty()) {
        return t;
    }
    if (t.all_day) {
        const auto first = schedule::parse_date(start);
        const auto last = schedule::parse_date(end);
        if (!first) {
            in.add_error("start", "not_a_date",
                         "An all-day event starts on a date like 2026-12-24.");
        }
        if (!last) {
            in.add_error("end", "not_a_date", "An all-day event ends on a date like 2026-12-25.");
        }
        if (!first || !last) {
            return t;
        }
        t.starts = date::local_seconds{*first};
        t.ends = date::local_seconds{*last + date::days{1}};
    } else {
        const auto first = schedule::parse_local_time(start);
        const auto last = schedule::parse_local_time(end);
        if (!first) {
            in.add_error("start", "not_a_local_time",
                         "Must be a local time like 2026-12-24T18:00.");
        }
        if (!last) {
            in.add_error("end", "not_a_local_time", "Must be a local time like 2026-12-24T20:00.");
        }
        if (!first || !last) {
            return t;
        }
        t.starts = *first;
        t.ends = *last;
    }
    if (t.ends <= t.starts) {
        in.add_error("end", "before_start", "Must lie after start.");
    } else if (t.ends - t.starts > max_length) {
        in.add_error("end", "event_too_long", "An event lasts 31 days at most; repeat it instead.");
    }
    return t;
}

std::vector<std::int64_t> read_members(json_reader& in, const nlohmann::json& body) {
    std::vector<std::int64_t> out;
    const auto found = body.find("member_ids");
    if (found == body.end() || found->is_null()) {
        return out;
    }
    const auto fail = [&in] {
        in.add_error("member_ids", "invalid",
                     "Must be a list of member ids (at most 50), or empty for everyone.");
        return std::vector<std::int64_t>{};
    };
    if (!found->is_array() || found->size() > max_members) {
        return fail();
    }
    for (const auto& id : *found) {
        if (!id.is_number_integer() || id.get<std::int64_t>() < 1) {
            return fail();
        }
        out.push_back(id.get<std::int64_t>());
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

void reject_unknown_fields(json_reader& in) {
    in.reject_unknown(
        {"title", "note", "location", "all_day", "start", "end", "repeat", "member_ids"});
}

new_event read_new(const nlohmann::json& body) {
    json_reader in{body};
    reject_unknown_fields(in);
    new_event e;
    e.title = in.required_string("title", title_rule);
    e.note = in.optional_string("note", note_rule).value_or("");
    e.location = in.optional_string("location", location_rule);
    const auto time = read_time(in);
    e.all_day = time.all_day;
    e.starts = time.starts;
    e.ends = time.ends;
    e.repeat = schedule::read_repeat_member(in, body, date::floor<date::days>(e.starts));
    e.member_ids = read_members(in, body);
    in.finish();
    return e;
}

event_change read_change(const nlohmann::json& body) {
    json_reader in{body};
    reject_unknown_fields(in);
    event_change c;
    c.title = in.optional_string("title", title_rule);
    c.note = in.optional_string("note", note_rule);
    if (in.has("location")) {  // null clears it
        c.location = in.optional_string("location", location_rule);
    }
    // The time is given whole: all_day, start and end together.
    if (in.has("all_day") || in.has("start") || in.has("end")) {
        c.time = read_time(in);
    }
    if (in.has("repeat")) {
        const auto first = c.time ? date::floor<date::days>(c.time->starts) : date::local_days{};
        c.repeat = schedule::read_repeat_member(in, body, first);
    }
    if (in.has("member_ids")) {
        c.member_ids = read_members(in, body);
    }
    if (in.ok() && !c.title && !c.note && !c.location && !c.time && !c.repeat && !c.member_ids) {
        in.add_error("", "empty_change", "Give at least one field to change.");
    }
    in.finish();
    return c;
}

http::response event_response(const family_event& e) {
    return http::json_response(http::status::ok, event_json(e));
}

struct calendar_handlers {
    calendar_service& calendar;
    auth::auth_service& auth;

    [[nodiscard]] awaitable<http::response> create(http::request_context& ctx) const {
        const auto who = co_await auth::require_parent(ctx, auth);
        auto input = read_new(http::read_json_body(ctx));
        auto key = http::request_key_of(ctx, who.user_id);
        const auto made = co_await calendar.create_event(who, std::move(input), std::move(key));
        co_return http::keyed_response(made);
    }

    [[nodiscard]] awaitable<http::response> get(http::request_context& ctx) const {
        const auto who = co_await auth::require_principal(ctx, auth);
        const auto e = co_await calendar.get_event(who, ctx.params.integer("id"));
        co_return event_response(e);
    }

    [[nodiscard]] awaitable<http::response> update(http::request_context& ctx) const {
        const auto who = co_await auth::require_parent(ctx, auth);
        auto change = read_change(http::read_json_body(ctx));
        const auto e =
            co_await calendar.update_event(who, ctx.params.integer("id"), std::move(change));
        co_return event_response(e);
    }

    [[nodiscard]] awaitable<http::response> remove(http::request_context& ctx) const {
        const auto who = co_await auth::require_parent(ctx, auth);
        co_await calendar.remove_event(who, ctx.params.integer("id"));
        co_return http::empty_response(http::status::no_content);
    }

    [[nodiscard]] awaitable<http::response> range(http::request_context& ctx) const {
        const auto who = co_await auth::require_principal(ctx, auth);
        const auto window = http::window_params(ctx, default_window, max_window);
        const auto view = co_await calendar.range(who, window.from, window.to);
        co_return http::json_text_response(http::status::ok, view_text(view));
    }

    [[nodiscard]] awaitable<http::response> replace_feed(http::request_context& ctx) const {
        const auto who = co_await auth::require_principal(ctx, auth);
        const auto path = co_await calendar.replace_feed(who);
        co_return http::json_response(http::status::created, {{"path", path}});
    }

    [[nodiscard]] awaitable<http::response> feed(http::request_context& ctx) const {
        const auto file = ctx.params.text("token");
        if (!file.ends_with(feed_suffix)) {
            throw error{errc::not_found, "No such calendar feed."};
        }
        auto served = co_await calendar.feed_of(
            std::string{file.substr(0, file.size() - feed_suffix.size())});
        const auto if_none_match = ctx.req[http::field::if_none_match];
        http::response res;
        if (!if_none_match.empty() &&
            http::etag_matches({if_none_match.data(), if_none_match.size()}, served.etag)) {
            res = http::empty_response(http::status::not_modified);
        } else {
            res = http::text_response(http::status::ok, std::move(served.body),
                                      "text/calendar; charset=utf-8");
        }
        res.set(http::field::etag, served.etag);
        // Calendar apps poll; a minute of caching is theirs, the URL is a secret.
        res.set(http::field::cache_control, "private, max-age=60");
        co_return res;
    }
};

}  // namespace

void add_calendar_routes(http::router& routes, calendar_service& calendar,
                         auth::auth_service& auth) {
    const calendar_handlers h{calendar, auth};
    using http::verb;
    const std::string one = "/api/v1/calendar/events/{id:int}";
    routes.add(verb::get, "/api/v1/calendar", http::handler_of(h, &calendar_handlers::range));
    routes.add(verb::post, "/api/v1/calendar/events",
               http::handler_of(h, &calendar_handlers::create));
    routes.add(verb::get, one, http::handler_of(h, &calendar_handlers::get));
    routes.add(verb::patch, one, http::handler_of(h, &calendar_handlers::update));
    routes.add(verb::delete_, one, http::handler_of(h, &calendar_handlers::remove));
    routes.add(verb::post, "/api/v1/calendar/feed",
               http::handler_of(h, &calendar_handlers::replace_feed));
    // {token} in the template keeps the secret out of the access log (the dispatcher logs
    // such paths by their template).
    routes.add(verb::get, "/ical/{token}", http::handler_of(h, &calendar_handlers::feed));
}

}  // namespace poki::calendar
