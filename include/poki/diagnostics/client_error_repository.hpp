// SQL for client error reports.
#pragma once

#include <pqxx/pqxx>

#include "poki/diagnostics/client_error.hpp"

namespace poki::diagnostics {

class client_error_repository {
  public:
    /// Inserts one report; returns its id.
    static std::int64_t insert(pqxx::work& tx, const client_error_report& report,
                               std::string_view request_id);
};

}  // namespace poki::diagnostics
