// SQL for client error reports.
#pragma once

#include <pqxx/pqxx>

#include "poki/diagnostics/client_error.hpp"

namespace poki::diagnostics {

class client_error_repository {
  public:
    /// Inserts one report; returns its id.
    static std::int64_t insert(pqxx::work& tx, const client_error_report& report,
                               std::optional<std::int64_t> user_id, std::string_view request_id);
    /// Deletes up to `batch` reports older than `max_age_days` or beyond the newest `keep`.
    static std::int64_t prune(pqxx::work& tx, int max_age_days, int keep, std::int64_t batch);
};

}  // namespace poki::diagnostics
