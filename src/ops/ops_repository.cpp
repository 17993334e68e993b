#include "poki/ops/ops_repository.hpp"

namespace poki::ops {

void ops_repository::declare_statements(db::pool& database) {
    database.declare("ops.schema_info",
                     "SELECT coalesce(max(version), 0),"
                     " to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"
                     " FROM schema_migrations");
}

void ops_repository::ping(pqxx::connection& c) {
    pqxx::nontransaction tx{c};
    tx.exec1("SELECT 1");
}

schema_info ops_repository::read_schema_info(pqxx::connection& c) {
    pqxx::nontransaction tx{c};
    const auto row = tx.exec_prepared1("ops.schema_info");
    return schema_info{row[0].as<int>(), row[1].as<std::string>()};
}

}  // namespace poki::ops
