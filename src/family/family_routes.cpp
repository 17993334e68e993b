#include "poki/family/family_routes.hpp"

#include "poki/auth/auth_json.hpp"
#include "poki/auth/auth_routes.hpp"
#include "poki/auth/bearer.hpp"
#include "poki/core/json_reader.hpp"
#include "poki/core/timestamp.hpp"
#include "poki/family/member_json.hpp"
#include "poki/http/json_body.hpp"
#include "poki/http/responses.hpp"
#include "poki/schedule/time_zones.hpp"

namespace poki::family {
namespace {

nlohmann::json family_json(const family_view& f) {
    auto members = nlohmann::json::array();
    for (const auto& m : f.members) {
        members.push_back(member_json(m));
    }
    return {{"id", f.id}, {"name", f.name}, {"time_zone", f.time_zone}, {"members", members}};
}

nlohmann::json link_code_json(const link_code& code) {
    const auto expires = std::chrono::sys_seconds{std::chrono::seconds{code.expires_at}};
    const auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
    return {{"code", code.code},
            {"role", to_string(code.admits)},
            {"expires_at", format_rfc3339(expires)},
            {"expires_in", (expires - now).count()}};
}

std::string read_name(const http::request_context& ctx, std::string_view field,
                      std::size_t max_chars) {
    const auto& body = http::read_json_body(ctx);
    json_reader in{body};
    in.reject_unknown({field});
    auto name = in.required_string(field, {.min_chars = 1, .max_chars = max_chars});
    in.finish();
    return name;
}

family_patch read_family_patch(const nlohmann::json& body) {
    json_reader in{body};
    in.reject_unknown({"name", "time_zone"});
    family_patch patch;
    patch.name = in.optional_string("name", {.min_chars = 1, .max_chars = 60});
    patch.time_zone = in.optional_string("time_zone", {.min_chars = 1, .max_chars = 64});
    if (patch.time_zone && schedule::find_zone(*patch.time_zone) == nullptr) {
        in.add_error("time_zone", "unknown_time_zone",
                     "Must be an IANA time zone name, like Asia/Seoul or America/New_York.");
    }
    if (in.ok() && !patch.name && !patch.time_zone) {
        in.add_error("", "empty_change", "Give name, time_zone, or both.");
    }
    in.finish();
    return patch;
}

join_request read_join(const nlohmann::json& body) {
    json_reader in{body};
    in.reject_unknown({"code", "display_name", "login", "password", "email"});
    join_request r;
    r.code = in.required_string("code", {.min_chars = 1, .max_chars = 16});
    r.display_name = in.required_string("display_name", {.min_chars = 1, .max_chars = 40});
    r.login = auth::read_login_name(in);
    r.password = auth::read_new_password(in);
    r.email = auth::read_email(in, "email", false);
    in.finish();
    return r;
}

struct family_handlers {
    family_service& families;
    auth::auth_service& auth;

    [[nodiscard]] awaitable<http::response> get(http::request_context& ctx) const {
        const auto who = co_await auth::require_principal(ctx, auth);
        const auto family = co_await families.get(who);
        co_return http::json_response(http::status::ok, family_json(family));
    }

    [[nodiscard]] awaitable<http::response> update(http::request_context& ctx) const {
        const auto who = co_await auth::require_principal(ctx, auth);
        auto patch = read_family_patch(http::read_json_body(ctx));
        const auto family = co_await families.update(who, std::move(patch));
        co_return http::json_response(http::status::ok, family_json(family));
    }

    [[nodiscard]] awaitable<http::response> rename_member(http::request_context& ctx) const {
        const auto who = co_await auth::require_principal(ctx, auth);
        auto name = read_name(ctx, "display_name", 40);
        const auto m =
            co_await families.rename_member(who, ctx.params.integer("id"), std::move(name));
        co_return http::json_response(http::status::ok, member_json(m));
    }

    [[nodiscard]] awaitable<http::response> remove_member(http::request_context& ctx) const {
        const auto who = co_await auth::require_principal(ctx, auth);
        co_await families.remove_member(who, ctx.params.integer("id"));
        co_return http::empty_response(http::status::no_content);
    }

    [[nodiscard]] awaitable<http::response> create_link_code(http::request_context& ctx) const {
        const auto who = co_await auth::require_principal(ctx, auth);
        const auto& body = http::read_json_body(ctx);
        json_reader in{body};
        in.reject_unknown({"role"});
        const auto admits = parse_role(in.required_enum("role", {"child", "parent"}));
        in.finish();
        const auto code = co_await families.create_link_code(who, admits.value_or(role::child));
        co_return http::json_response(http::status::created, link_code_json(code));
    }

    [[nodiscard]] awaitable<http::response> join(http::request_context& ctx) const {
        const bool cookie = auth::wants_cookie_session(ctx);
        auto request = read_join(http::read_json_body(ctx));
        auto address = ctx.remote_address;
        const auto tokens = co_await families.join(std::move(request), std::move(address));
        co_return auth::session_response(ctx, http::status::created, tokens, cookie);
    }
};

}  // namespace

void add_family_routes(http::router& routes, family_service& families, auth::auth_service& auth) {
    const family_handlers h{families, auth};
    using http::verb;
    routes.add(verb::get, "/api/v1/family", http::handler_of(h, &family_handlers::get));
    routes.add(verb::patch, "/api/v1/family", http::handler_of(h, &family_handlers::update));
    routes.add(verb::patch, "/api/v1/family/members/{id:int}",
               http::handler_of(h, &family_handlers::rename_member));
    routes.add(verb::delete_, "/api/v1/family/members/{id:int}",
               http::handler_of(h, &family_handlers::remove_member));
    routes.add(verb::post, "/api/v1/family/link-codes",
               http::handler_of(h, &family_handlers::create_link_code));
    routes.add(verb::post, "/api/v1/auth/join", http::handler_of(h, &family_handlers::join));
}

}  // namespace poki::family
