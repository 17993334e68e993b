#include "poki/family/family_routes.hpp"

#include "poki/auth/bearer.hpp"
#include "poki/core/json_reader.hpp"
#include "poki/family/member_json.hpp"
#include "poki/http/json_body.hpp"
#include "poki/http/responses.hpp"

namespace poki::family {
namespace {

nlohmann::json family_json(const family_view& f) {
    auto members = nlohmann::json::array();
    for (const auto& m : f.members) {
        members.push_back(member_json(m));
    }
    return {{"id", f.id}, {"name", f.name}, {"members", members}};
}

std::string rfc3339(std::int64_t epoch_seconds) {
    const std::time_t t = epoch_seconds;
    std::tm utc{};
    gmtime_r(&t, &utc);
    std::array<char, 32> text{};
    const auto n = std::strftime(text.data(), text.size(), "%Y-%m-%dT%H:%M:%SZ", &utc);
    return {text.data(), n};
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

}  // namespace

void add_family_routes(http::router& routes, family_service& families, auth::auth_service& auth) {
    routes.add(http::verb::get, "/api/v1/family",
               [&families, &auth](http::request_context& ctx) -> awaitable<http::response> {
                   const auto who = co_await auth::require_principal(ctx, auth);
                   co_return http::json_response(http::status::ok,
                                                 family_json(co_await families.get(who)));
               });

    routes.add(http::verb::patch, "/api/v1/family",
               [&families, &auth](http::request_context& ctx) -> awaitable<http::response> {
                   const auto who = co_await auth::require_principal(ctx, auth);
                   auto name = read_name(ctx, "name", 60);
                   const auto family = co_await families.rename(who, std::move(name));
                   co_return http::json_response(http::status::ok, family_json(family));
               });

    routes.add(http::verb::patch, "/api/v1/family/members/{id:int}",
               [&families, &auth](http::request_context& ctx) -> awaitable<http::response> {
                   const auto who = co_await auth::require_principal(ctx, auth);
                   auto name = read_name(ctx, "display_name", 40);
                   const auto m = co_await families.rename_member(who, ctx.params.integer("id"),
                                                                  std::move(name));
                   co_return http::json_response(http::status::ok, member_json(m));
               });

    routes.add(http::verb::delete_, "/api/v1/family/members/{id:int}",
               [&families, &auth](http::request_context& ctx) -> awaitable<http::response> {
                   const auto who = co_await auth::require_principal(ctx, auth);
                   co_await families.remove_member(who, ctx.params.integer("id"));
                   co_return http::empty_response(http::status::no_content);
               });

    routes.add(http::verb::post, "/api/v1/family/link-codes",
               [&families, &auth](http::request_context& ctx) -> awaitable<http::response> {
                   const auto who = co_await auth::require_principal(ctx, auth);
                   const auto& body = http::read_json_body(ctx);
                   json_reader in{body};
                   in.reject_unknown({"role"});
                   const auto admits = parse_role(in.required_enum("role", {"child", "parent"}));
                   in.finish();
                   const auto code =
                       co_await families.create_link_code(who, admits.value_or(role::child));
                   const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                                        std::chrono::system_clock::now().time_since_epoch())
                                        .count();
                   co_return http::json_response(http::status::created,
                                                 {{"code", code.code},
                                                  {"role", to_string(code.admits)},
                                                  {"expires_at", rfc3339(code.expires_at)},
                                                  {"expires_in", code.expires_at - now}});
               });
}

}  // namespace poki::family
