#include "poki/diagnostics/client_error_repository.hpp"

namespace poki::diagnostics {

std::int64_t client_error_repository::insert(pqxx::work& tx, const client_error_report& report,
                                             std::string_view request_id) {
    const auto row = tx.exec_params1(
        "INSERT INTO client_errors (platform, app_version, message, stack, screen, request_id)"
        " VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        std::string{to_string(report.platform)}, report.app_version, report.message, report.stack,
        report.screen, std::string{request_id});
    return row[0].as<std::int64_t>();
}

}  // namespace poki::diagnostics
