// Who is calling: taken from a verified access token, used to scope every query.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace poki {

enum class role { parent, child };

[[nodiscard]] constexpr std::string_view to_string(role r) noexcept {
    return r == role::parent ? "parent" : "child";
}

[[nodiscard]] constexpr std::optional<role> parse_role(std::string_view text) noexcept {
    if (text == "parent") {
        return role::parent;
    }
    if (text == "child") {
        return role::child;
    }
    return std::nullopt;
}

struct principal {
    std::int64_t user_id = 0;
    std::int64_t family_id = 0;
    poki::role role = role::child;
    /// The generation of the user's sessions the token was issued in; "log out everywhere"
    /// raises it, and tokens of older generations are refused.
    std::int64_t session_generation = 0;
};

/// The one role check of services: errc::forbidden unless a parent is calling.
void require_parent(const principal& who);

}  // namespace poki
