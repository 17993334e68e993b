#include "poki/diagnostics/client_error_routes.hpp"

#include "poki/auth/bearer.hpp"
#include "poki/core/json_reader.hpp"
#include "poki/http/json_body.hpp"
#include "poki/http/responses.hpp"

namespace poki::diagnostics {
namespace {

client_error_report read_report(const nlohmann::json& body) {
    json_reader in{body};
    in.reject_unknown({"platform", "app_version", "message", "stack", "screen"});
    client_error_report report;
    const auto platform = in.required_enum("platform", {"ios", "android", "web"});
    report.app_version = in.required_string("app_version", {.min_chars = 1, .max_chars = 32});
    report.message = in.required_string("message", {.min_chars = 1, .max_chars = 2000});
    report.stack = in.optional_string("stack", {.min_chars = 0, .max_chars = 16000, .trim = false});
    report.screen = in.optional_string("screen", {.min_chars = 1, .max_chars = 200});
    in.finish();
    report.platform = parse_platform(platform).value_or(client_platform::web);
    return report;
}

struct client_error_handlers {
    client_error_service& service;
    auth::auth_service& auth;

    [[nodiscard]] awaitable<http::response> report(http::request_context& ctx) const {
        auto filed = read_report(http::read_json_body(ctx));
        // Anonymous reports are welcome (a crash before sign-in); a token, when sent, must
        // be good, and its account gets a limit of its own.
        reporter from{ctx.remote_address, std::nullopt};
        if (!ctx.req[http::field::authorization].empty()) {
            const auto who = co_await auth::require_principal(ctx, auth);
            from.user_id = who.user_id;
        }
        const auto id = co_await service.record(std::move(filed), from, ctx.request_id);
        co_return http::json_response(http::status::created, {{"id", id}});
    }
};

}  // namespace

void add_client_error_routes(http::router& routes, client_error_service& service,
                             auth::auth_service& auth) {
    const client_error_handlers h{service, auth};
    routes.add(http::verb::post, "/api/v1/client-errors",
               http::handler_of(h, &client_error_handlers::report));
}

}  // namespace poki::diagnostics
