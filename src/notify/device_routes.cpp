#include "poki/notify/device_routes.hpp"

#include "poki/auth/bearer.hpp"
#include "poki/core/json_reader.hpp"
#include "poki/http/json_body.hpp"
#include "poki/http/responses.hpp"

namespace poki::notify {
namespace {

/// FCM registration tokens are long strings of URL-safe characters and colons.
std::string checked_token(const http::request_context& ctx) {
    const auto token = ctx.params.text("fcm_token");
    if (token.size() > 4096 ||
        token.find_first_not_of(
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789:_-.") !=
            std::string_view::npos) {
        throw error::validation("fcm_token", "Must be an FCM registration token.");
    }
    return std::string{token};
}

}  // namespace

void add_device_routes(http::router& routes, device_service& devices, auth::auth_service& auth) {
    routes.add(
        http::verb::put, "/api/v1/devices/{fcm_token}",
        [&devices, &auth](http::request_context& ctx) -> awaitable<http::response> {
            const auto who = co_await auth::require_principal(ctx, auth);
            auto token = checked_token(ctx);
            const auto& body = http::read_json_body(ctx);
            json_reader in{body};
            in.reject_unknown({"platform", "app_version"});
            auto platform = in.required_enum("platform", {"ios", "android", "web"});
            auto version = in.required_string("app_version", {.min_chars = 1, .max_chars = 32});
            in.finish();
            const auto d = co_await devices.register_device(
                who, std::move(token), std::move(platform), std::move(version));
            co_return http::json_response(http::status::ok, {{"fcm_token", d.fcm_token},
                                                             {"platform", d.platform},
                                                             {"app_version", d.app_version},
                                                             {"last_seen_at", d.last_seen_at}});
        });

    routes.add(http::verb::delete_, "/api/v1/devices/{fcm_token}",
               [&devices, &auth](http::request_context& ctx) -> awaitable<http::response> {
                   const auto who = co_await auth::require_principal(ctx, auth);
                   co_await devices.unregister_device(who, checked_token(ctx));
                   co_return http::empty_response(http::status::no_content);
               });
}

}  // namespace poki::notify
