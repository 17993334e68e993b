#include "poki/http/request_context.hpp"

#include <boost/beast/core/string.hpp>

#include "poki/core/json_reader.hpp"

namespace poki::http {
namespace {

int hex_value(char c) {
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

}  // namespace

std::pair<std::string_view, std::string_view> split_target(std::string_view target) {
    const auto q = target.find('?');
    if (q == std::string_view::npos) {
        return {target, {}};
    }
    return {target.substr(0, q), target.substr(q + 1)};
}

std::optional<std::string> percent_decode(std::string_view text, bool plus_is_space) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (c == '%') {
            if (i + 2 >= text.size()) {
                return std::nullopt;
            }
            const int hi = hex_value(text[i + 1]);
            const int lo = hex_value(text[i + 2]);
            if (hi < 0 || lo < 0) {
                return std::nullopt;
            }
            out.push_back(static_cast<char>((hi << 4) | lo));
            i += 2;
        } else if (c == '+' && plus_is_space) {
            out.push_back(' ');
        } else {
            out.push_back(c);
        }
    }
    // What no column can store and no route should guess at: U+0000 and bytes that are not
    // UTF-8 (PostgreSQL would refuse them mid-query).
    if (out.find('\0') != std::string::npos || !utf8_length(out)) {
        return std::nullopt;
    }
    return out;
}

bool query_is_decodable(std::string_view query) {
    while (!query.empty()) {
        const auto amp = query.find('&');
        const auto pair = query.substr(0, amp);
        const auto eq = pair.find('=');
        if (!percent_decode(pair.substr(0, eq), true) ||
            (eq != std::string_view::npos && !percent_decode(pair.substr(eq + 1), true))) {
            return false;
        }
        if (amp == std::string_view::npos) {
            break;
        }
        query.remove_prefix(amp + 1);
    }
    return true;
}

std::optional<std::string_view> request_context::bearer_token() const {
    const auto header = req[field::authorization];
    const std::string_view value{header.data(), header.size()};
    constexpr std::string_view scheme{"Bearer "};
    if (value.size() <= scheme.size() ||
        !boost::beast::iequals(value.substr(0, scheme.size()), scheme)) {
        return std::nullopt;
    }
    return value.substr(scheme.size());
}

std::optional<std::string> request_context::query_param(std::string_view name) const {
    std::string_view rest = query;
    while (!rest.empty()) {
        const auto amp = rest.find('&');
        const auto pair = rest.substr(0, amp);
        const auto eq = pair.find('=');
        const auto key = percent_decode(pair.substr(0, eq), true);
        if (key && *key == name) {
            return eq == std::string_view::npos ? std::string{}
                                                : percent_decode(pair.substr(eq + 1), true);
        }
        if (amp == std::string_view::npos) {
            break;
        }
        rest.remove_prefix(amp + 1);
    }
    return std::nullopt;
}

}  // namespace poki::http
