// SQL for operational checks.
#pragma once

#include <string>

#include <pqxx/pqxx>

namespace poki::ops {

struct schema_info {
    int schema_version = 0;
    std::string server_time;  ///< RFC 3339, UTC, from PostgreSQL's clock
};

class ops_repository {
  public:
    /// SELECT 1: proves the connection works.
    static void ping(pqxx::connection& c);
    static schema_info read_schema_info(pqxx::connection& c);
};

}  // namespace poki::ops
