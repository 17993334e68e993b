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

awaitable<schema_info> ops_repository::read_schema_info(db::read_pipeline& reads) {
    const auto rows = co_await reads.query("ops.schema_info");
    co_return schema_info{rows[0][0].as<int>(), rows[0][1].as<std::string>()};
}

}  // namespace poki::ops
