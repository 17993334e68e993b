#include "poki/diagnostics/client_error_repository.hpp"

namespace poki::diagnostics {

std::int64_t client_error_repository::insert(pqxx::work& tx, const client_error_report& report,
                                             std::optional<std::int64_t> user_id,
                                             std::string_view request_id) {
    const auto row = tx.exec_params1(
        "INSERT INTO client_errors (platform, app_version, message, stack, screen, request_id,"
        " user_id) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        std::string{to_string(report.platform)}, report.app_version, report.message, report.stack,
        report.screen, std::string{request_id}, user_id);
    return row[0].as<std::int64_t>();
}

std::int64_t client_error_repository::prune(pqxx::work& tx, int max_age_days, int keep,
                                            std::int64_t batch) {
    const auto done = tx.exec_params(
        "WITH doomed AS (SELECT id FROM client_errors"
        "  WHERE received_at < now() - make_interval(days => $1)"
        "     OR id <= (SELECT id FROM client_errors ORDER BY id DESC OFFSET $2 LIMIT 1)"
        "  ORDER BY id LIMIT $3 FOR UPDATE SKIP LOCKED)"
        " DELETE FROM client_errors c USING doomed d WHERE c.id = d.id",
        max_age_days, keep, batch);
    return done.affected_rows();
}

}  // namespace poki::diagnostics
