// Accounts and sessions as the apps see them, and the fields every route that makes an
// account reads the same way (sign-up here, joining a family in family/).
#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "poki/auth/auth_service.hpp"
#include "poki/core/json_reader.hpp"

namespace poki::auth {

[[nodiscard]] nlohmann::json user_json(const user_record& u);
/// The answer to a sign-up, login, refresh or join: the token pair and who it is for.
[[nodiscard]] nlohmann::json tokens_json(const session_tokens& t);

/// `password` for a new account: min_password_chars to max_password_chars code points.
[[nodiscard]] std::string read_new_password(json_reader& in);
/// An email address under `name`, when the body has one.
[[nodiscard]] std::optional<std::string> read_email(json_reader& in, std::string_view name,
                                                    bool required);
/// `login`: 3 to 32 letters, digits, dots, dashes or underscores.
[[nodiscard]] std::string read_login_name(json_reader& in);

}  // namespace poki::auth
