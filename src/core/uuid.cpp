#include "poki/core/uuid.hpp"

#include <cctype>

namespace poki {

std::optional<std::string> normalize_uuid(std::string_view text) {
    if (text.size() != 36) {
        return std::nullopt;
    }
    std::string out;
    out.reserve(36);
    for (std::size_t i = 0; i < text.size(); ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (c != '-') {
                return std::nullopt;
            }
            out.push_back('-');
        } else if (std::isxdigit(c) != 0) {
            out.push_back(static_cast<char>(std::tolower(c)));
        } else {
            return std::nullopt;
        }
    }
    return out;
}

}  // namespace poki
