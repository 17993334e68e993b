// What auth keeps of an account and what it needs to make one.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "poki/core/principal.hpp"

namespace poki::auth {

struct user_record {
    std::int64_t id = 0;
    std::int64_t family_id = 0;
    poki::role role = role::child;
    std::optional<std::string> email;
    std::optional<std::string> login;
    std::string display_name;
    std::string avatar_color;
    std::string password_hash;
    std::string family_name;
    std::int64_t session_generation = 0;
};

struct new_user {
    std::int64_t family_id = 0;
    poki::role role = role::parent;
    std::optional<std::string> email;
    std::optional<std::string> login;
    std::string display_name;
    std::string avatar_color;
    std::string password_hash;
};

}  // namespace poki::auth
