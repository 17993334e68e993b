// Reading a column that may be NULL (libpqxx 6's own optional support does not compile).
#pragma once

#include <optional>

#include <pqxx/pqxx>

namespace poki::db {

template <class T>
[[nodiscard]] std::optional<T> nullable(const pqxx::field& f) {
    if (f.is_null()) {
        return std::nullopt;
    }
    return f.as<T>();
}

}  // namespace poki::db
