#include "poki/calls/call_types.hpp"

#include <algorithm>
#include <array>
#include <utility>

namespace poki::calls {
namespace {

template <class Enum, std::size_t N>
using names = std::array<std::pair<Enum, std::string_view>, N>;

constexpr names<call_media, 2> media_names{
    {{call_media::audio, "audio"}, {call_media::video, "video"}}};
constexpr names<call_state, 7> state_names{{{call_state::ringing, "ringing"},
                                            {call_state::accepted, "accepted"},
                                            {call_state::ended, "ended"},
                                            {call_state::rejected, "rejected"},
                                            {call_state::cancelled, "cancelled"},
                                            {call_state::missed, "missed"},
                                            {call_state::busy, "busy"}}};
constexpr names<end_reason, 3> reason_names{{{end_reason::hang_up, "hang_up"},
                                             {end_reason::connection_lost, "connection_lost"},
                                             {end_reason::failed_media, "failed_media"}}};
constexpr names<party_state, 7> party_names{{{party_state::ringing, "ringing"},
                                             {party_state::joined, "joined"},
                                             {party_state::declined, "declined"},
                                             {party_state::missed, "missed"},
                                             {party_state::left, "left"},
                                             {party_state::busy, "busy"},
                                             {party_state::cancelled, "cancelled"}}};

template <class Enum, std::size_t N>
std::string_view name_of(const names<Enum, N>& table, Enum value) noexcept {
    const auto* found = std::find_if(table.begin(), table.end(),
                                     [value](const auto& entry) { return entry.first == value; });
    return found == table.end() ? std::string_view{} : found->second;
}

template <class Enum, std::size_t N>
std::optional<Enum> value_of(const names<Enum, N>& table, std::string_view text) noexcept {
    const auto* found = std::find_if(table.begin(), table.end(),
                                     [text](const auto& entry) { return entry.second == text; });
    return found == table.end() ? std::nullopt : std::optional<Enum>{found->first};
}

}  // namespace

std::string_view to_string(call_media m) noexcept {
    return name_of(media_names, m);
}
std::string_view to_string(call_state s) noexcept {
    return name_of(state_names, s);
}
std::string_view to_string(end_reason r) noexcept {
    return name_of(reason_names, r);
}
std::string_view to_string(party_state s) noexcept {
    return name_of(party_names, s);
}
std::optional<call_media> parse_media(std::string_view text) noexcept {
    return value_of(media_names, text);
}
std::optional<call_state> parse_call_state(std::string_view text) noexcept {
    return value_of(state_names, text);
}
std::optional<end_reason> parse_end_reason(std::string_view text) noexcept {
    return value_of(reason_names, text);
}
std::optional<party_state> parse_party_state(std::string_view text) noexcept {
    return value_of(party_names, text);
}

const call_party* call_record::party(std::int64_t user_id) const {
    const auto found = std::find_if(parties.begin(), parties.end(), [user_id](const call_party& p) {
        return p.user_id == user_id;
    });
    return found == parties.end() ? nullptr : &*found;
}

call_party* call_record::party(std::int64_t user_id) {
    return const_cast<call_party*>(std::as_const(*this).party(user_id));
}

}  // namespace poki::calls
