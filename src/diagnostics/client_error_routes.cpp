#include "poki/diagnostics/client_error_routes.hpp"

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

}  // namespace

void add_client_error_routes(http::router& routes, client_error_service& service) {
    routes.add(http::verb::post, "/api/v1/client-errors",
               [&service](http::request_context& ctx) -> awaitable<http::response> {
                   auto report = read_report(http::read_json_body(ctx));
                   const auto id = co_await service.record(std::move(report), ctx.request_id);
                   co_return http::json_response(http::status::created, {{"id", id}});
               });
}

}  // namespace poki::diagnostics
