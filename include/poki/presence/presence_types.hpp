// Who of a family is online, as members and apps see it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "poki/core/timestamp.hpp"

namespace poki::presence {

struct member_presence {
    std::int64_t user_id = 0;
    bool online = false;
    /// When their last connection closed; nullopt while online, or when never seen (or Redis
    /// lost it).
    std::optional<timestamp> last_seen;
};

/// A change of one member's state, as published to the family's instances.
struct presence_change {
    std::int64_t family_id = 0;
    member_presence member;
};

/// The Redis channel that carries a family's presence changes.
[[nodiscard]] std::string presence_channel(std::int64_t family_id);
[[nodiscard]] std::string encode_change(const presence_change& change);
/// nullopt for a message that is not a presence change (another version, noise).
[[nodiscard]] std::optional<presence_change> decode_change(std::string_view payload);

}  // namespace poki::presence
