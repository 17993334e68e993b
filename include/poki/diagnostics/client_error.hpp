// A crash or error report sent by a Poki app, kept for operators.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace poki::diagnostics {

enum class client_platform { ios, android, web };

struct client_error_report {
    client_platform platform = client_platform::web;
    std::string app_version;
    std::string message;
    std::optional<std::string> stack;
    std::optional<std::string> screen;  ///< where in the app it happened
};

/// Who sent a report: the address it came from, and the account when the app was signed in.
struct reporter {
    std::string address;
    std::optional<std::int64_t> user_id;
};

[[nodiscard]] std::string_view to_string(client_platform p) noexcept;
[[nodiscard]] std::optional<client_platform> parse_platform(std::string_view text) noexcept;

}  // namespace poki::diagnostics
