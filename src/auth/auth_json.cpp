#include "poki/auth/auth_json.hpp"

#include "poki/core/json_value.hpp"

namespace poki::auth {
namespace {

bool looks_like_email(std::string_view email) {
    const auto at = email.find('@');
    if (at == std::string_view::npos || at == 0 ||
        email.find('@', at + 1) != std::string_view::npos) {
        return false;
    }
    const auto domain = email.substr(at + 1);
    const auto dot = domain.find('.');
    return dot != std::string_view::npos && dot > 0 && dot + 1 < domain.size() &&
           email.find_first_of(" \t\r\n,;<>\"") == std::string_view::npos;
}

bool is_login_name(std::string_view login) {
    return login.size() >= 3 && login.size() <= 32 &&
           login.find_first_not_of(
               "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") ==
               std::string_view::npos;
}

}  // namespace

nlohmann::json user_json(const user_record& u) {
    return {{"id", u.id},
            {"family_id", u.family_id},
            {"role", to_string(u.role)},
            {"display_name", u.display_name},
            {"avatar_color", u.avatar_color},
            {"email", or_null(u.email)},
            {"login", or_null(u.login)}};
}

nlohmann::json tokens_json(const session_tokens& t) {
    return {{"access_token", t.access_token},
            {"refresh_token", t.refresh_token},
            {"token_type", "Bearer"},
            {"expires_in", t.expires_in},
            {"user", user_json(t.user)}};
}

std::string read_new_password(json_reader& in) {
    const auto problems_before = in.errors().size();
    auto password =
        in.required_string("password", {.min_chars = 0, .max_chars = 1024, .trim = false});
    if (in.errors().size() != problems_before) {
        return password;  // missing or not a string: said once
    }
    const auto length = utf8_length(password).value_or(0);
    if (length < min_password_chars) {
        in.add_error("password", "too_short",
                     "Must be at least " + std::to_string(min_password_chars) + " characters.",
                     {{"min", static_cast<std::int64_t>(min_password_chars)}});
    } else if (length > max_password_chars) {
        in.add_error("password", "too_long",
                     "Must be at most " + std::to_string(max_password_chars) + " characters.",
                     {{"max", static_cast<std::int64_t>(max_password_chars)}});
    }
    return password;
}

std::optional<std::string> read_email(json_reader& in, std::string_view name, bool required) {
    constexpr string_rule rule{.min_chars = 3, .max_chars = 254};
    auto email =
        required ? std::optional{in.required_string(name, rule)} : in.optional_string(name, rule);
    if (email && !email->empty() && !looks_like_email(*email)) {
        in.add_error(name, "not_email", "Must be an email address.");
    }
    return email;
}

std::string read_login_name(json_reader& in) {
    auto login = in.required_string("login", {.min_chars = 1, .max_chars = 32});
    if (!login.empty() && !is_login_name(login)) {
        in.add_error("login", "bad_login_name",
                     "Use 3 to 32 letters, digits, dots, dashes or underscores.");
    }
    return login;
}

}  // namespace poki::auth
