// SQL for operational checks.
#pragma once

#include <string>

#include <pqxx/pqxx>

#include "poki/db/pool.hpp"
#include "poki/db/read_pipeline.hpp"

namespace poki::ops {

struct schema_info {
    int schema_version = 0;
    std::string server_time;  ///< RFC 3339, UTC, from PostgreSQL's clock
};

class ops_repository {
  public:
    /// Declares this repository's prepared statements on the pool.
    static void declare_statements(db::pool& database);

    /// SELECT 1: proves the connection works.
    static void ping(pqxx::connection& c);
    static awaitable<schema_info> read_schema_info(db::read_pipeline& reads);
};

}  // namespace poki::ops
