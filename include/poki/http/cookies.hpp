// Reading a Cookie header and writing Set-Cookie, for the browser session's refresh cookie.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace poki::http {

/// The value of cookie `name` in a Cookie header ("a=1; poki_refresh=xyz"); nullopt when absent.
[[nodiscard]] std::optional<std::string_view> find_cookie(std::string_view cookie_header,
                                                          std::string_view name) noexcept;

struct cookie_scope {
    std::string_view path;
    std::chrono::seconds max_age;
    bool secure = false;  ///< set on HTTPS: the browser then never sends it over plain HTTP
};

/// A Set-Cookie value no script can read (HttpOnly) and no other site can make the browser
/// send (SameSite=Strict). A max_age of zero deletes the cookie.
[[nodiscard]] std::string set_cookie(std::string_view name, std::string_view value,
                                     const cookie_scope& scope);

}  // namespace poki::http
