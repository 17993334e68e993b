// UUIDs as apps send them (chat client ids, call ids).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace poki {

/// A UUID in its 8-4-4-4-12 hex form, lower-cased; nullopt otherwise.
[[nodiscard]] std::optional<std::string> normalize_uuid(std::string_view text);

}  // namespace poki
