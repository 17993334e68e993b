#include "poki/notify/sse_format.hpp"

#include <charconv>

namespace poki::notify {
namespace {

constexpr std::string_view channel_prefix = "poki:user:";

std::optional<std::int64_t> parse_non_negative(std::string_view text) {
    std::int64_t value = 0;
    const auto* end = text.data() + text.size();
    const auto [ptr, ec] = std::from_chars(text.data(), end, value);
    if (text.empty() || ec != std::errc{} || ptr != end || value < 0) {
        return std::nullopt;
    }
    return value;
}

void append_event(std::string& out, std::string_view type, std::string_view data) {
    out += "event: ";
    out += type;
    out += "\ndata: ";
    out += data;
    out += "\n\n";
}

}  // namespace

std::string sse_event(std::int64_t id, std::string_view type, std::string_view data) {
    std::string out;
    out.reserve(32 + type.size() + data.size());
    out += "id: ";
    out += std::to_string(id);
    out += '\n';
    append_event(out, type, data);
    return out;
}

std::string sse_event(std::string_view type, std::string_view data) {
    std::string out;
    out.reserve(16 + type.size() + data.size());
    append_event(out, type, data);
    return out;
}

std::string sse_comment(std::string_view text) {
    std::string out{": "};
    out += text;
    out += "\n\n";
    return out;
}

std::string sse_retry(int milliseconds) {
    return "retry: " + std::to_string(milliseconds) + "\n\n";
}

std::string encode_live_event(const stored_event& e) {
    std::string out = std::to_string(e.seq);
    out += '\n';
    out += e.type;
    out += '\n';
    out += e.data;
    return out;
}

std::optional<live_event> decode_live_event(std::string_view message) {
    const auto first = message.find('\n');
    if (first == std::string_view::npos) {
        return std::nullopt;
    }
    const auto second = message.find('\n', first + 1);
    if (second == std::string_view::npos) {
        return std::nullopt;
    }
    const auto seq = parse_non_negative(message.substr(0, first));
    const auto type = message.substr(first + 1, second - first - 1);
    const auto data = message.substr(second + 1);
    if (!seq || *seq == 0 || type.empty() || data.find('\n') != std::string_view::npos) {
        return std::nullopt;
    }
    return live_event{*seq, type, data};
}

std::string user_channel(std::int64_t user_id) {
    std::string out{channel_prefix};
    out += std::to_string(user_id);
    return out;
}

std::optional<std::int64_t> user_of_channel(std::string_view channel) {
    if (!channel.starts_with(channel_prefix)) {
        return std::nullopt;
    }
    return parse_non_negative(channel.substr(channel_prefix.size()));
}

std::optional<std::int64_t> parse_event_id(std::string_view text) {
    if (text.size() > 19) {
        return std::nullopt;
    }
    return parse_non_negative(text);
}

}  // namespace poki::notify
