// Single-statement reads driven from the io threads with libpq's asynchronous API in pipeline
// mode: a read needs no hand-off to a pool thread and back, and reads that arrive together
// share one write and one read on the socket. Transactions and writes stay on db::pool.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "poki/core/config.hpp"
#include "poki/core/net.hpp"

struct pg_result;  // libpq's PGresult, kept out of every includer

namespace poki::db {

class pool;

/// One statement's rows, as the text PostgreSQL sent them.
class read_result {
  public:
    read_result() = default;
    explicit read_result(pg_result* owned) noexcept : result_{owned} {}

    [[nodiscard]] int rows() const noexcept;
    [[nodiscard]] bool is_null(int row, int column) const noexcept;
    [[nodiscard]] std::string_view text(int row, int column) const noexcept;
    [[nodiscard]] std::int64_t int64(int row, int column) const;
    [[nodiscard]] int int32(int row, int column) const;
    [[nodiscard]] bool boolean(int row, int column) const noexcept;

  private:
    struct clear {
        void operator()(pg_result* r) const noexcept;
    };
    std::unique_ptr<pg_result, clear> result_;
};

/// A statement's parameters in text form; nullopt is SQL NULL.
using read_params = std::vector<std::optional<std::string>>;

class read_pipeline {
  public:
    /// `connections` libpq connections, opened on first use through a pool thread (connecting
    /// resolves names and blocks) and then driven by strands on `io`. Statements and session
    /// settings are those declared on `statements`, prepared on each connection in its pipeline.
    read_pipeline(const net::any_io_executor& io, pool& statements, const database_config& cfg,
                  int connections);
    ~read_pipeline();
    read_pipeline(const read_pipeline&) = delete;
    read_pipeline& operator=(const read_pipeline&) = delete;

    /// Runs a declared statement. A failed statement rethrows as the pool's query errors do;
    /// a broken connection, a full pipeline or no answer within query_timeout is
    /// errc::unavailable (reads are not retried: the caller's client may).
    awaitable<read_result> query(std::string_view statement, read_params params = {});

    /// Closes every connection and fails what is in flight. Idempotent.
    void stop();

    void render_metrics(std::string& out) const;

    class connection;

  private:
    std::vector<std::shared_ptr<connection>> connections_;
    std::atomic<std::size_t> next_{0};
};

}  // namespace poki::db
