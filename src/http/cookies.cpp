#include "poki/http/cookies.hpp"

#include "poki/core/comma_list.hpp"

namespace poki::http {

std::optional<std::string_view> find_cookie(std::string_view cookie_header,
                                            std::string_view name) noexcept {
    while (!cookie_header.empty()) {
        const auto semicolon = cookie_header.find(';');
        const auto pair = trim_blanks(cookie_header.substr(0, semicolon));
        const auto eq = pair.find('=');
        if (eq != std::string_view::npos && trim_blanks(pair.substr(0, eq)) == name) {
            auto value = trim_blanks(pair.substr(eq + 1));
            if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
                value = value.substr(1, value.size() - 2);
            }
            return value;
        }
        cookie_header = semicolon == std::string_view::npos ? std::string_view{}
                                                            : cookie_header.substr(semicolon + 1);
    }
    return std::nullopt;
}

std::string set_cookie(std::string_view name, std::string_view value, const cookie_scope& scope) {
    std::string out;
    out.reserve(name.size() + value.size() + 96);
    out.append(name).append("=").append(value);
    out.append("; Path=").append(scope.path);
    out.append("; Max-Age=").append(std::to_string(scope.max_age.count()));
    out.append("; HttpOnly; SameSite=Strict");
    if (scope.secure) {
        out.append("; Secure");
    }
    return out;
}

}  // namespace poki::http
