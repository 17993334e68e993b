#include "poki/db/migrations.hpp"

#include <algorithm>
#include <array>
#include <fstream>
#include <map>
#include <sstream>

#include <openssl/evp.h>

#include "poki/core/log.hpp"

namespace poki::db {
namespace {

// pg_advisory_lock key shared by every instance: "poki" in ASCII.
constexpr std::int64_t migration_lock_key = 0x706f6b69;

bool parse_name(const std::string& file, int& version) {
    // NNNN_name.sql with a lower-case snake_case name.
    if (file.size() < 10 || !file.ends_with(".sql") || file[4] != '_') {
        return false;
    }
    for (int i = 0; i < 4; ++i) {
        if (file[static_cast<std::size_t>(i)] < '0' || file[static_cast<std::size_t>(i)] > '9') {
            return false;
        }
    }
    const auto stem = std::string_view{file}.substr(5, file.size() - 9);
    if (stem.empty() || !std::all_of(stem.begin(), stem.end(), [](char c) {
            return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
        })) {
        return false;
    }
    version = std::stoi(file.substr(0, 4));
    return version > 0;
}

}  // namespace

std::string sha256_hex(std::string_view data) {
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
    unsigned int length = 0;
    if (EVP_Digest(data.data(), data.size(), digest.data(), &length, EVP_sha256(), nullptr) != 1) {
        throw std::runtime_error{"sha256 failed"};
    }
    static constexpr std::string_view hex{"0123456789abcdef"};
    std::string out;
    out.reserve(std::size_t{length} * 2);
    for (unsigned int i = 0; i < length; ++i) {
        out.push_back(hex[digest[i] >> 4U]);
        out.push_back(hex[digest[i] & 0xfU]);
    }
    return out;
}

std::vector<migration> load_migrations(const std::filesystem::path& dir) {
    std::error_code ec;
    if (!std::filesystem::is_directory(dir, ec)) {
        throw migration_error{"migrations: folder " + dir.string() + " does not exist"};
    }
    std::vector<migration> out;
    for (const auto& entry : std::filesystem::directory_iterator{dir}) {
        if (!entry.is_regular_file()) {
            continue;
        }
        const auto file = entry.path().filename().string();
        if (entry.path().extension() != ".sql") {
            continue;
        }
        migration m;
        if (!parse_name(file, m.version)) {
            throw migration_error{"migrations: " + file +
                                  " is not named NNNN_snake_case_name.sql (version 0001 and up)"};
        }
        std::ifstream in{entry.path(), std::ios::binary};
        std::ostringstream text;
        text << in.rdbuf();
        m.name = file;
        m.sql = text.str();
        m.checksum = sha256_hex(m.sql);
        out.push_back(std::move(m));
    }
    std::sort(out.begin(), out.end(),
              [](const auto& a, const auto& b) { return a.version < b.version; });
    for (std::size_t i = 1; i < out.size(); ++i) {
        if (out[i].version == out[i - 1].version) {
            throw migration_error{"migrations: " + out[i - 1].name + " and " + out[i].name +
                                  " have the same version"};
        }
    }
    return out;
}

migration_report apply_migrations(pqxx::connection& connection,
                                  const std::vector<migration>& migrations) {
    const auto exec_alone = [&connection](const std::string& sql) {
        pqxx::nontransaction tx{connection};
        auto result = tx.exec(sql);
        tx.commit();
        return result;
    };
    const std::string key = std::to_string(migration_lock_key);
    exec_alone("SELECT pg_advisory_lock(" + key + ")");
    migration_report report;
    try {
        exec_alone(
            "CREATE TABLE IF NOT EXISTS schema_migrations ("
            " version integer PRIMARY KEY,"
            " name text NOT NULL,"
            " checksum text NOT NULL,"
            " applied_at timestamptz NOT NULL DEFAULT now())");
        std::map<int, std::string> applied_checksums;
        for (const auto& row : exec_alone("SELECT version, checksum FROM schema_migrations")) {
            applied_checksums.emplace(row[0].as<int>(), row[1].as<std::string>());
        }

        for (const auto& m : migrations) {
            if (const auto it = applied_checksums.find(m.version); it != applied_checksums.end()) {
                if (it->second != m.checksum) {
                    throw migration_error{
                        "migrations: " + m.name + " has changed since it was applied (checksum " +
                        it->second.substr(0, 12) + ", file now " + m.checksum.substr(0, 12) +
                        "); add a new migration instead of editing an applied one"};
                }
                ++report.already_applied;
                continue;
            }
            pqxx::work tx{connection};
            tx.exec(m.sql);
            tx.exec_params(
                "INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)",
                m.version, m.name, m.checksum);
            tx.commit();
            report.applied.push_back(m.name);
            log::info("migration applied", {{"migration", m.name}});
        }
        report.schema_version =
            exec_alone("SELECT coalesce(max(version), 0) FROM schema_migrations")[0][0].as<int>();
    } catch (...) {
        // Release the lock for the next instance; a broken session has released it already.
        try {
            exec_alone("SELECT pg_advisory_unlock(" + key + ")");
        } catch (const std::exception&) {  // NOLINT(bugprone-empty-catch): the first error matters
        }
        throw;
    }
    exec_alone("SELECT pg_advisory_unlock(" + key + ")");
    return report;
}

}  // namespace poki::db
