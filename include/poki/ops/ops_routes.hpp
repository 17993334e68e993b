// GET /healthz, /readyz, /metrics, /api/v1/meta and /api/v1/openapi.json.
#pragma once

#include "poki/core/metrics.hpp"
#include "poki/http/router.hpp"
#include "poki/ops/ops_service.hpp"

namespace poki::ops {

/// /healthz, /readyz and /api/v1/meta; and /metrics when no operator listener serves it.
void add_ops_routes(http::router& routes, ops_service& service, const metrics_registry& metrics,
                    bool with_metrics);

/// The operator listener's (metrics.port): /metrics, /healthz and /readyz.
void add_operator_routes(http::router& routes, ops_service& service,
                         const metrics_registry& metrics);

}  // namespace poki::ops
