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
        throw error::validation("fcm_token", "not_fcm_token", "Must be an FCM registration token.");
    }
    return std::string{token};
}

struct device_handlers {
    device_service& devices;
    auth::auth_service& auth;

    [[nodiscard]] awaitable<http::response> register_device(http::request_context& ctx) const {
        const auto who = co_await auth::require_principal(ctx, auth);
        auto token = checked_token(ctx);
        json_reader in{http::read_json_body(ctx)};
        in.reject_unknown({"platform", "app_version"});
        auto platform = in.required_enum("platform", {"ios", "android", "web"});
        auto version = in.required_string("app_version", {.min_chars = 1, .max_chars = 32});
        in.finish();
        const auto d = co_await devices.register_device(who, std::move(token), std::move(platform),
                                                        std::move(version));
        co_return http::json_response(http::status::ok, {{"fcm_token", d.fcm_token},
                                                         {"platform", d.platform},
                                                         {"app_version", d.app_version},
                                                         {"last_seen_at", d.last_seen_at}});
    }

    [[nodiscard]] awaitable<http::response> unregister_device(http::request_context& ctx) const {
        const auto who = co_await auth::require_principal(ctx, auth);
        auto token = checked_token(ctx);
        co_await devices.unregister_device(who, std::move(token));
        co_return http::empty_response(http::status::no_content);
    }
};

}  // namespace

void add_device_routes(http::router& routes, device_service& devices, auth::auth_service& auth) {
    const device_handlers h{devices, auth};
    routes.add(http::verb::put, "/api/v1/devices/{fcm_token}",
               http::handler_of(h, &device_handlers::register_device));
    routes.add(http::verb::delete_, "/api/v1/devices/{fcm_token}",
               http::handler_of(h, &device_handlers::unregister_device));
}

}  // namespace poki::notify
