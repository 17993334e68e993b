// Reading a column that may be NULL (libpqxx 6's own optional support does not compile). Any
// field with `is_null()` and `as<T>()` will do: a libpqxx field or a pipeline read's.
#pragma once

#include <optional>

namespace poki::db {

template <class T, class Field>
[[nodiscard]] std::optional<T> nullable(const Field& f) {
    if (f.is_null()) {
        return std::nullopt;
    }
    return f.template as<T>();
}

}  // namespace poki::db
