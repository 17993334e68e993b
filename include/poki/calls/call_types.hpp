// A call as the server keeps it: the call's state and each party's, with the device a joined
// party talks from. Value types; the rules that change them are in call_machine.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace poki::calls {

enum class call_media { audio, video };

/// ringing → accepted → ended; or rejected, cancelled, missed, busy without ever being
/// answered. Everything but ringing and accepted is final.
enum class call_state { ringing, accepted, ended, rejected, cancelled, missed, busy };

/// Why an accepted call ended.
enum class end_reason { hang_up, connection_lost, failed_media };

/// The caller is `joined` from the start; the others are rung.
enum class party_state { ringing, joined, declined, missed, left, busy, cancelled };

/// At most this many people in one call, the caller included (everyone connects to everyone).
inline constexpr std::size_t max_call_parties = 4;

[[nodiscard]] std::string_view to_string(call_media m) noexcept;
[[nodiscard]] std::string_view to_string(call_state s) noexcept;
[[nodiscard]] std::string_view to_string(end_reason r) noexcept;
[[nodiscard]] std::string_view to_string(party_state s) noexcept;
[[nodiscard]] std::optional<call_media> parse_media(std::string_view text) noexcept;
[[nodiscard]] std::optional<call_state> parse_call_state(std::string_view text) noexcept;
[[nodiscard]] std::optional<end_reason> parse_end_reason(std::string_view text) noexcept;
[[nodiscard]] std::optional<party_state> parse_party_state(std::string_view text) noexcept;

[[nodiscard]] constexpr bool is_final(call_state s) noexcept {
    return s != call_state::ringing && s != call_state::accepted;
}

/// One WebSocket connection of a member, on one instance.
struct device {
    std::string connection_id;
    std::string instance_id;
    bool operator==(const device&) const = default;
};

struct call_party {
    std::int64_t user_id = 0;
    party_state state = party_state::ringing;
    std::optional<device> in_call;  ///< while joined
    bool lost = false;              ///< its connection dropped; waiting for it to come back
};

struct call_record {
    std::string id;  ///< UUID
    std::int64_t seq = 0;
    std::int64_t family_id = 0;
    std::int64_t caller_id = 0;
    call_media media = call_media::video;
    call_state state = call_state::ringing;
    std::optional<end_reason> reason;
    std::int64_t version = 1;
    bool ringing_deadline = true;     ///< some party is being rung (ring_until is set)
    std::vector<call_party> parties;  ///< the caller first
    std::string created_at;           ///< RFC 3339, UTC
    std::optional<std::string> answered_at;
    std::optional<std::string> ended_at;

    [[nodiscard]] const call_party* party(std::int64_t user_id) const;
    [[nodiscard]] call_party* party(std::int64_t user_id);
};

}  // namespace poki::calls
