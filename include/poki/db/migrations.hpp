// Schema migrations: sql/NNNN_name.sql applied in order under an advisory lock, each in its
// own transaction, recorded with a checksum in schema_migrations.
#pragma once

#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include <pqxx/pqxx>

namespace poki::db {

struct migration {
    int version = 0;
    std::string name;  ///< file name, e.g. 0001_init.sql
    std::string sql;
    std::string checksum;  ///< SHA-256 of the file, hex
};

/// A migration set that cannot be applied safely; the message says which file and why.
class migration_error : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

/// Reads NNNN_name.sql files of `dir` in version order. Throws migration_error for a
/// missing folder, a misnamed .sql file or a duplicate version.
[[nodiscard]] std::vector<migration> load_migrations(const std::filesystem::path& dir);

struct migration_report {
    std::vector<std::string> applied;  ///< names applied by this run
    std::size_t already_applied = 0;
    int schema_version = 0;  ///< highest applied version afterwards
};

/// Applies what is missing. Throws migration_error when an applied file has changed since.
/// Blocking: call it from a pool thread or before the server starts.
migration_report apply_migrations(pqxx::connection& connection,
                                  const std::vector<migration>& migrations);

[[nodiscard]] std::string sha256_hex(std::string_view data);

}  // namespace poki::db
