// Single-statement reads driven from the io threads with libpq's asynchronous API in pipeline
// mode: a read needs no hand-off to a pool thread and back, and reads that arrive together
// share one write and one read on the socket. Transactions and writes stay on db::pool.
#pragma once

#include <atomic>
#include <concepts>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "poki/core/config.hpp"
#include "poki/core/net.hpp"

struct pg_result;  // libpq's PGresult, kept out of every includer

namespace poki::db {

class pool;

class read_result;

/// Parses a column's text as the statement promised; throws when it is not.
[[nodiscard]] std::int64_t parse_int64(std::string_view text);
[[nodiscard]] int parse_int32(std::string_view text);

/// One column of one row, read the way a libpqxx field is (`as<T>()`, `is_null()`), so a row
/// mapper written as a template serves both the pipeline and transactions.
class read_field {
  public:
    read_field(const read_result& result, int row, int column) noexcept
        : result_{&result}, row_{row}, column_{column} {}

    [[nodiscard]] bool is_null() const noexcept;
    [[nodiscard]] std::string_view view() const noexcept;
    /// libpq ends every value with a NUL, so the view's data is a C string.
    [[nodiscard]] const char* c_str() const noexcept { return view().data(); }
    [[nodiscard]] std::size_t size() const noexcept { return view().size(); }

    template <class T>
    [[nodiscard]] T as() const {
        if constexpr (std::is_same_v<T, std::string>) {
            return std::string{view()};
        } else if constexpr (std::is_same_v<T, std::string_view>) {
            return view();
        } else if constexpr (std::is_same_v<T, bool>) {
            return view() == "t";
        } else if constexpr (std::is_same_v<T, std::int64_t>) {
            return parse_int64(view());
        } else {
            static_assert(std::is_same_v<T, int>, "a column is read as text, bool or an integer");
            return parse_int32(view());
        }
    }

  private:
    const read_result* result_;
    int row_;
    int column_;
};

class read_row {
  public:
    read_row(const read_result& result, int row) noexcept : result_{&result}, row_{row} {}
    [[nodiscard]] read_field operator[](int column) const noexcept {
        return {*result_, row_, column};
    }

  private:
    const read_result* result_;
    int row_;
};

/// One statement's rows, as the text PostgreSQL sent them.
class read_result {
  public:
    read_result() = default;
    explicit read_result(pg_result* owned) noexcept : result_{owned} {}

    [[nodiscard]] read_row operator[](int row) const noexcept { return {*this, row}; }
    [[nodiscard]] bool empty() const noexcept { return rows() == 0; }
    [[nodiscard]] int rows() const noexcept;

  private:
    friend class read_field;
    [[nodiscard]] bool is_null(int row, int column) const noexcept;
    [[nodiscard]] std::string_view text(int row, int column) const noexcept;

    struct clear {
        void operator()(pg_result* r) const noexcept;
    };
    std::unique_ptr<pg_result, clear> result_;
};

/// A statement's parameters in text form; nullopt is SQL NULL.
using read_params = std::vector<std::optional<std::string>>;

/// One parameter's text: integers in decimal, text as it is, an empty optional as NULL.
[[nodiscard]] inline std::optional<std::string> param_text(std::string_view text) {
    return std::string{text};
}
[[nodiscard]] inline std::optional<std::string> param_text(const std::string& text) {
    return text;
}
[[nodiscard]] inline std::optional<std::string> param_text(const char* text) {
    return std::string{text};
}
template <std::integral Int>
[[nodiscard]] std::optional<std::string> param_text(Int value) {
    if constexpr (std::is_same_v<Int, bool>) {
        return std::string{value ? "t" : "f"};
    } else {
        return std::to_string(value);
    }
}
template <class T>
[[nodiscard]] std::optional<std::string> param_text(const std::optional<T>& value) {
    if (!value) {
        return std::nullopt;
    }
    return param_text(*value);
}

/// The parameters of one read, in statement order.
template <class... Args>
[[nodiscard]] read_params params(const Args&... args) {
    read_params out;
    out.reserve(sizeof...(Args));
    (out.push_back(param_text(args)), ...);
    return out;
}

/// Every row mapped by `to_item`.
template <class T, class Map>
[[nodiscard]] std::vector<T> rows_of(const read_result& rows, Map to_item) {
    std::vector<T> out;
    out.reserve(static_cast<std::size_t>(rows.rows()));
    for (int i = 0; i < rows.rows(); ++i) {
        out.push_back(to_item(rows[i]));
    }
    return out;
}

/// The rows of a db::scoped_page statement mapped by `to_item`; nullopt when its scope refused.
template <class T, class Map>
[[nodiscard]] std::optional<std::vector<T>> scoped_rows(const read_result& rows, Map to_item) {
    if (rows.empty()) {
        return std::nullopt;
    }
    if (rows[0][0].is_null()) {
        return std::vector<T>{};
    }
    return rows_of<T>(rows, std::move(to_item));
}

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
