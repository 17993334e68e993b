#include "poki/core/json_writer.hpp"

#include <array>
#include <charconv>

namespace poki {
namespace {

/// The length of the well-formed UTF-8 sequence starting at text[i], or 0.
std::size_t sequence_length(std::string_view text, std::size_t i) {
    const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[i + k]); };
    const auto continuation = [&](std::size_t k) {
        return i + k < text.size() && (byte(k) & 0xC0U) == 0x80U;
    };
    const auto lead = byte(0);
    if (lead >= 0xC2U && lead <= 0xDFU) {
        return continuation(1) ? 2 : 0;
    }
    if (lead >= 0xE0U && lead <= 0xEFU) {
        if (!continuation(1) || !continuation(2)) {
            return 0;
        }
        const auto second = byte(1);
        // No overlong forms (E0 80..9F) and no surrogates (ED A0..BF).
        if ((lead == 0xE0U && second < 0xA0U) || (lead == 0xEDU && second > 0x9FU)) {
            return 0;
        }
        return 3;
    }
    if (lead >= 0xF0U && lead <= 0xF4U) {
        if (!continuation(1) || !continuation(2) || !continuation(3)) {
            return 0;
        }
        const auto second = byte(1);
        if ((lead == 0xF0U && second < 0x90U) || (lead == 0xF4U && second > 0x8FU)) {
            return 0;
        }
        return 4;
    }
    return 0;
}

}  // namespace

void json_writer::separate() {
    if (comma_) {
        out_ += ',';
    }
    comma_ = true;
}

json_writer& json_writer::begin_object() {
    separate();
    out_ += '{';
    comma_ = false;
    return *this;
}

json_writer& json_writer::end_object() {
    out_ += '}';
    comma_ = true;
    return *this;
}

json_writer& json_writer::begin_array() {
    separate();
    out_ += '[';
    comma_ = false;
    return *this;
}

json_writer& json_writer::end_array() {
    out_ += ']';
    comma_ = true;
    return *this;
}

json_writer& json_writer::key(std::string_view name) {
    separate();
    out_ += '"';
    escaped(name);
    out_ += "\":";
    comma_ = false;  // the value that follows is this field's, not the next one
    return *this;
}

json_writer& json_writer::value(std::string_view text) {
    separate();
    out_ += '"';
    escaped(text);
    out_ += '"';
    return *this;
}

json_writer& json_writer::value(std::int64_t number) {
    separate();
    std::array<char, 24> digits{};
    const auto [end, ec] = std::to_chars(digits.data(), digits.data() + digits.size(), number);
    out_.append(digits.data(), end);
    return *this;
}

json_writer& json_writer::value(bool flag) {
    separate();
    out_ += flag ? "true" : "false";
    return *this;
}

json_writer& json_writer::null() {
    separate();
    out_ += "null";
    return *this;
}

json_writer& json_writer::raw(std::string_view json) {
    separate();
    out_ += json;
    return *this;
}

void json_writer::escaped(std::string_view text) {
    static constexpr std::string_view hex = "0123456789abcdef";
    std::size_t plain = 0;  // start of the run of bytes copied as they are
    const auto copy_run = [&](std::size_t until) { out_.append(text, plain, until - plain); };
    for (std::size_t i = 0; i < text.size();) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (c >= 0x20U && c < 0x80U && c != '"' && c != '\\') {
            ++i;
            continue;
        }
        if (c >= 0x80U) {
            const auto length = sequence_length(text, i);
            if (length != 0) {
                i += length;
                continue;
            }
            copy_run(i);
            out_ += "\xEF\xBF\xBD";  // U+FFFD for a byte that starts no character
            plain = ++i;
            continue;
        }
        copy_run(i);
        switch (c) {
            case '"':
                out_ += "\\\"";
                break;
            case '\\':
                out_ += "\\\\";
                break;
            case '\n':
                out_ += "\\n";
                break;
            case '\r':
                out_ += "\\r";
                break;
            case '\t':
                out_ += "\\t";
                break;
            case '\b':
                out_ += "\\b";
                break;
            case '\f':
                out_ += "\\f";
                break;
            default:
                out_ += "\\u00";
                out_ += hex[c >> 4U];
                out_ += hex[c & 0xFU];
        }
        plain = ++i;
    }
    copy_run(text.size());
}

}  // namespace poki
