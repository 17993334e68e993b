#include "poki/ops/ops_routes.hpp"

#include <nlohmann/json.hpp>

#include "poki/core/problem.hpp"
#include "poki/http/responses.hpp"

namespace poki::ops {

void add_ops_routes(http::router& routes, ops_service& service, const metrics_registry& metrics) {
    routes.add(
        http::verb::get, "/healthz", [](http::request_context&) -> awaitable<http::response> {
            // Probed constantly by load balancers: a fixed body, no JSON building.
            auto res =
                http::text_response(http::status::ok, R"({"status":"ok"})", "application/json");
            res.set(http::field::cache_control, "no-store");
            co_return res;
        });

    routes.add(http::verb::get, "/readyz",
               [&service](http::request_context& ctx) -> awaitable<http::response> {
                   const auto r = co_await service.check_readiness();
                   const nlohmann::json checks{{"postgres", r.postgres ? "up" : "down"},
                                               {"redis", r.redis ? "up" : "down"}};
                   if (r.ready()) {
                       co_return http::json_response(http::status::ok,
                                                     {{"status", "ready"}, {"checks", checks}});
                   }
                   std::string down;
                   for (const auto& [name, state] : checks.items()) {
                       if (state == "down") {
                           down += down.empty() ? name : " and " + name;
                       }
                   }
                   auto problem =
                       to_problem(error{errc::unavailable, "Not ready: " + down + " is down."},
                                  ctx.request_id);
                   auto res = http::problem_response(problem);
                   auto body = nlohmann::json::parse(res.body());
                   body["checks"] = checks;
                   res.body() = body.dump();
                   co_return res;
               });

    routes.add(http::verb::get, "/metrics",
               [&metrics](http::request_context&) -> awaitable<http::response> {
                   co_return http::text_response(http::status::ok, metrics.render(),
                                                 "text/plain; version=0.0.4");
               });

    routes.add(http::verb::get, "/api/v1/meta",
               [&service](http::request_context&) -> awaitable<http::response> {
                   const auto info = co_await service.schema();
                   co_return http::json_response(http::status::ok,
                                                 {{"name", "poki"},
                                                  {"version", POKI_VERSION},
                                                  {"schema_version", info.schema_version},
                                                  {"server_time", info.server_time}});
               });
}

}  // namespace poki::ops
