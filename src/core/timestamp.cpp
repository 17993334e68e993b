#include "poki/core/timestamp.hpp"

#include <cstdio>

namespace poki {
namespace {

/// `count` digits at `at`, or nullopt.
std::optional<int> digits(std::string_view text, std::size_t at, std::size_t count) {
    if (at + count > text.size()) {
        return std::nullopt;
    }
    int value = 0;
    for (std::size_t i = at; i < at + count; ++i) {
        if (text[i] < '0' || text[i] > '9') {
            return std::nullopt;
        }
        value = value * 10 + (text[i] - '0');
    }
    return value;
}

bool is_char(std::string_view text, std::size_t at, char c) {
    return at < text.size() && text[at] == c;
}

}  // namespace

std::optional<timestamp> parse_rfc3339(std::string_view text) {
    using namespace std::chrono;
    const auto y = digits(text, 0, 4);
    const auto mo = digits(text, 5, 2);
    const auto d = digits(text, 8, 2);
    const auto h = digits(text, 11, 2);
    const auto mi = digits(text, 14, 2);
    const auto s = digits(text, 17, 2);
    if (!y || !mo || !d || !h || !mi || !s || !is_char(text, 4, '-') || !is_char(text, 7, '-') ||
        !(is_char(text, 10, 'T') || is_char(text, 10, 't')) || !is_char(text, 13, ':') ||
        !is_char(text, 16, ':') || *h > 23 || *mi > 59 || *s > 59) {
        return std::nullopt;
    }
    const year_month_day date{year{*y}, month{static_cast<unsigned>(*mo)},
                              day{static_cast<unsigned>(*d)}};
    if (!date.ok()) {
        return std::nullopt;
    }
    std::size_t at = 19;
    milliseconds fraction{0};
    if (is_char(text, at, '.')) {
        ++at;
        const auto start = at;
        int scale = 100;
        while (at < text.size() && text[at] >= '0' && text[at] <= '9') {
            fraction += milliseconds{(text[at] - '0') * scale};
            scale /= 10;
            ++at;
        }
        if (at == start || at - start > 9) {
            return std::nullopt;
        }
    }
    minutes offset{0};
    if (is_char(text, at, 'Z') || is_char(text, at, 'z')) {
        ++at;
    } else if (is_char(text, at, '+') || is_char(text, at, '-')) {
        const auto oh = digits(text, at + 1, 2);
        const auto om = digits(text, at + 4, 2);
        if (!oh || !om || !is_char(text, at + 3, ':') || *oh > 23 || *om > 59) {
            return std::nullopt;
        }
        offset = hours{*oh} + minutes{*om};
        if (text[at] == '-') {
            offset = -offset;
        }
        at += 6;
    } else {
        return std::nullopt;
    }
    if (at != text.size()) {
        return std::nullopt;
    }
    return sys_days{date} + hours{*h} + minutes{*mi} + seconds{*s} + fraction - offset;
}

std::string format_rfc3339(timestamp t) {
    using namespace std::chrono;
    const auto day_start = floor<days>(t);
    const year_month_day date{day_start};
    const hh_mm_ss time{t - day_start};
    char out[32];
    std::snprintf(
        out, sizeof out, "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ", static_cast<int>(date.year()),
        static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
        static_cast<int>(time.hours().count()), static_cast<int>(time.minutes().count()),
        static_cast<int>(time.seconds().count()), static_cast<int>(time.subseconds().count()));
    return out;
}

}  // namespace poki
