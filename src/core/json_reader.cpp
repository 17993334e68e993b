#include "poki/core/json_reader.hpp"

#include <algorithm>

namespace poki {
namespace {

std::string_view trim(std::string_view s) {
    const auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
    while (!s.empty() && is_space(s.front())) {
        s.remove_prefix(1);
    }
    while (!s.empty() && is_space(s.back())) {
        s.remove_suffix(1);
    }
    return s;
}

}  // namespace

std::optional<std::size_t> utf8_length(std::string_view text) noexcept {
    std::size_t count = 0;
    std::size_t i = 0;
    while (i < text.size()) {
        const auto lead = static_cast<unsigned char>(text[i]);
        std::size_t extra = 0;
        std::uint32_t cp = 0;
        if (lead < 0x80) {
            cp = lead;
        } else if ((lead & 0xE0U) == 0xC0) {
            extra = 1;
            cp = lead & 0x1FU;
        } else if ((lead & 0xF0U) == 0xE0) {
            extra = 2;
            cp = lead & 0x0FU;
        } else if ((lead & 0xF8U) == 0xF0) {
            extra = 3;
            cp = lead & 0x07U;
        } else {
            return std::nullopt;
        }
        if (extra > text.size() - i - 1) {
            return std::nullopt;
        }
        for (std::size_t k = 1; k <= extra; ++k) {
            const auto cont = static_cast<unsigned char>(text[i + k]);
            if ((cont & 0xC0U) != 0x80) {
                return std::nullopt;
            }
            cp = (cp << 6U) | (cont & 0x3FU);
        }
        // Overlong forms, surrogates and values past U+10FFFF are not UTF-8.
        const bool overlong =
            (extra == 1 && cp < 0x80) || (extra == 2 && cp < 0x800) || (extra == 3 && cp < 0x10000);
        if (overlong || (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) {
            return std::nullopt;
        }
        i += extra + 1;
        ++count;
    }
    return count;
}

json_reader::json_reader(const nlohmann::json& document) : document_{document} {
    if (!document_.is_object()) {
        errors_.push_back({"", "The body must be a JSON object.", "not_object", {}});
    }
}

const nlohmann::json* json_reader::member(std::string_view name, bool required) {
    if (!document_.is_object()) {
        return nullptr;
    }
    const auto it = document_.find(name);
    if (it == document_.end() || it->is_null()) {
        if (required) {
            errors_.push_back({std::string{name}, "This field is required.", "required", {}});
        }
        return nullptr;
    }
    return &*it;
}

std::optional<std::string> json_reader::optional_string(std::string_view name, string_rule rule) {
    const auto* value = member(name, false);
    if (value == nullptr) {
        return std::nullopt;
    }
    if (!value->is_string()) {
        errors_.push_back({std::string{name}, "Must be a string.", "not_string", {}});
        return std::nullopt;
    }
    const auto& raw = value->get_ref<const std::string&>();
    const std::string_view text = rule.trim ? trim(raw) : std::string_view{raw};
    if (text.find('\0') != std::string_view::npos) {
        // PostgreSQL text cannot hold it; a libpq parameter would be cut short there.
        errors_.push_back(
            {std::string{name}, "Must not contain the character U+0000.", "nul_character", {}});
        return std::nullopt;
    }
    const auto length = utf8_length(text);
    if (!length) {
        errors_.push_back({std::string{name}, "Must be valid UTF-8.", "not_utf8", {}});
        return std::nullopt;
    }
    if (*length < rule.min_chars) {
        errors_.push_back(
            {std::string{name},
             rule.min_chars == 1
                 ? std::string{"Must not be empty."}
                 : "Must be at least " + std::to_string(rule.min_chars) + " characters.",
             rule.min_chars == 1 ? "empty" : "too_short",
             {{"min", static_cast<std::int64_t>(rule.min_chars)}}});
        return std::nullopt;
    }
    if (*length > rule.max_chars) {
        errors_.push_back({std::string{name},
                           "Must be at most " + std::to_string(rule.max_chars) + " characters.",
                           "too_long",
                           {{"max", static_cast<std::int64_t>(rule.max_chars)}}});
        return std::nullopt;
    }
    return std::string{text};
}

std::string json_reader::required_string(std::string_view name, string_rule rule) {
    if (member(name, true) == nullptr) {
        return {};
    }
    return optional_string(name, rule).value_or(std::string{});
}

std::optional<std::int64_t> json_reader::optional_integer(std::string_view name, std::int64_t min,
                                                          std::int64_t max) {
    const auto* value = member(name, false);
    if (value == nullptr) {
        return std::nullopt;
    }
    if (!value->is_number_integer() ||
        (value->is_number_unsigned() &&
         value->get<std::uint64_t>() > static_cast<std::uint64_t>(INT64_MAX))) {
        errors_.push_back({std::string{name}, "Must be an integer.", "not_integer", {}});
        return std::nullopt;
    }
    const auto n = value->get<std::int64_t>();
    if (n < min || n > max) {
        errors_.push_back(
            {std::string{name},
             "Must be between " + std::to_string(min) + " and " + std::to_string(max) + ".",
             "out_of_range",
             {{"min", min}, {"max", max}}});
        return std::nullopt;
    }
    return n;
}

std::int64_t json_reader::required_integer(std::string_view name, std::int64_t min,
                                           std::int64_t max) {
    if (member(name, true) == nullptr) {
        return 0;
    }
    return optional_integer(name, min, max).value_or(0);
}

std::optional<bool> json_reader::optional_bool(std::string_view name) {
    const auto* value = member(name, false);
    if (value == nullptr) {
        return std::nullopt;
    }
    if (!value->is_boolean()) {
        errors_.push_back({std::string{name}, "Must be true or false.", "not_boolean", {}});
        return std::nullopt;
    }
    return value->get<bool>();
}

std::string json_reader::required_enum(std::string_view name,
                                       std::initializer_list<std::string_view> allowed) {
    const auto* value = member(name, true);
    if (value == nullptr) {
        return {};
    }
    if (value->is_string()) {
        const auto& text = value->get_ref<const std::string&>();
        if (std::find(allowed.begin(), allowed.end(), text) != allowed.end()) {
            return text;
        }
    }
    std::string message = "Must be one of:";
    for (const auto a : allowed) {
        message += ' ';
        message += a;
    }
    message += '.';
    errors_.push_back({std::string{name}, std::move(message), "not_allowed", {}});
    return {};
}

void json_reader::add_error(std::string_view field, std::string_view code, std::string message,
                            std::vector<std::pair<std::string, std::int64_t>> limits) {
    errors_.push_back(
        {std::string{field}, std::move(message), std::string{code}, std::move(limits)});
}

void json_reader::reject_unknown(std::initializer_list<std::string_view> known) {
    if (!document_.is_object()) {
        return;
    }
    for (const auto& [key, value] : document_.items()) {
        if (std::find(known.begin(), known.end(), key) == known.end()) {
            errors_.push_back({key, "Unknown field.", "unknown_field", {}});
        }
    }
}

bool json_reader::has(std::string_view name) const {
    return document_.is_object() && document_.contains(name);
}

void json_reader::finish() const {
    if (!errors_.empty()) {
        throw error::validation(errors_);
    }
}

}  // namespace poki
