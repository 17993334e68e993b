// GET /healthz, /readyz, /metrics and /api/v1/meta.
#pragma once

#include "poki/core/metrics.hpp"
#include "poki/http/router.hpp"
#include "poki/ops/ops_service.hpp"

namespace poki::ops {

void add_ops_routes(http::router& routes, ops_service& service, const metrics_registry& metrics);

}  // namespace poki::ops
