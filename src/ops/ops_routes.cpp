#include "poki/ops/ops_routes.hpp"

#include <nlohmann/json.hpp>

#include "poki/core/problem.hpp"
#include "poki/http/conditional.hpp"
#include "poki/http/responses.hpp"
#include "poki/ops/api_document.hpp"

namespace poki::ops {
namespace {

/// 503 naming what is down, with the checks in the problem's body.
http::response not_ready(const nlohmann::json& checks, const std::string& request_id) {
    std::string down;
    for (const auto& [name, state] : checks.items()) {
        if (state == "down") {
            down += down.empty() ? name : " and " + name;
        }
    }
    auto problem =
        to_problem(error{errc::unavailable, "Not ready: " + down + " is down."}, request_id);
    auto res = http::problem_response(problem);
    auto body = nlohmann::json::parse(res.body());
    body["checks"] = checks;
    res.body() = body.dump();
    return res;
}

struct ops_handlers {
    ops_service& service;
    const metrics_registry& metrics;

    /// Probed constantly by load balancers: a fixed body, no JSON building.
    [[nodiscard]] awaitable<http::response> healthz(http::request_context&) const {
        auto res = http::text_response(http::status::ok, R"({"status":"ok"})", "application/json");
        res.set(http::field::cache_control, "no-store");
        co_return res;
    }

    [[nodiscard]] awaitable<http::response> readyz(http::request_context& ctx) const {
        if (service.draining()) {
            // No probes: the answer must not depend on dependencies while shutting down.
            auto res =
                http::problem_response(to_problem(error{errc::unavailable, "shutting_down",
                                                        "Not ready: the server is shutting down."},
                                                  ctx.request_id));
            res.set(http::field::cache_control, "no-store");
            co_return res;
        }
        const auto r = co_await service.check_readiness();
        const nlohmann::json checks{{"postgres", r.postgres ? "up" : "down"},
                                    {"redis", r.redis ? "up" : "down"}};
        if (!r.ready()) {
            co_return not_ready(checks, ctx.request_id);
        }
        co_return http::json_response(http::status::ok, {{"status", "ready"}, {"checks", checks}});
    }

    [[nodiscard]] awaitable<http::response> prometheus(http::request_context&) const {
        co_return http::text_response(http::status::ok, metrics.render(),
                                      "text/plain; version=0.0.4");
    }

    /// The contract this binary was built with; clients revalidate it by its ETag.
    [[nodiscard]] awaitable<http::response> openapi(http::request_context& ctx) const {
        const auto etag = api_document_etag();
        const auto asked = ctx.req[http::field::if_none_match];
        auto res = http::etag_matches({asked.data(), asked.size()}, etag)
                       ? http::empty_response(http::status::not_modified)
                       : http::text_response(http::status::ok, std::string{api_document()},
                                             "application/json");
        res.set(http::field::etag, etag);
        res.set(http::field::cache_control, "no-cache");
        co_return res;
    }

    [[nodiscard]] awaitable<http::response> meta(http::request_context&) const {
        const auto info = co_await service.schema();
        co_return http::json_response(http::status::ok, {{"name", "poki"},
                                                         {"version", POKI_VERSION},
                                                         {"schema_version", info.schema_version},
                                                         {"server_time", info.server_time}});
    }
};

}  // namespace

void add_ops_routes(http::router& routes, ops_service& service, const metrics_registry& metrics,
                    bool with_metrics) {
    const ops_handlers h{service, metrics};
    routes.add(http::verb::get, "/healthz", http::handler_of(h, &ops_handlers::healthz));
    routes.add(http::verb::get, "/readyz", http::handler_of(h, &ops_handlers::readyz));
    if (with_metrics) {
        routes.add(http::verb::get, "/metrics", http::handler_of(h, &ops_handlers::prometheus));
    }
    routes.add(http::verb::get, "/api/v1/meta", http::handler_of(h, &ops_handlers::meta));
    routes.add(http::verb::get, "/api/v1/openapi.json",
               http::handler_of(h, &ops_handlers::openapi));
}

void add_operator_routes(http::router& routes, ops_service& service,
                         const metrics_registry& metrics) {
    const ops_handlers h{service, metrics};
    routes.add(http::verb::get, "/metrics", http::handler_of(h, &ops_handlers::prometheus));
    routes.add(http::verb::get, "/healthz", http::handler_of(h, &ops_handlers::healthz));
    routes.add(http::verb::get, "/readyz", http::handler_of(h, &ops_handlers::readyz));
}

}  // namespace poki::ops
