#include "poki/http/conditional.hpp"

#include "poki/core/comma_list.hpp"

namespace poki::http {

bool etag_matches(std::string_view if_none_match, std::string_view etag) noexcept {
    const auto strip_weak = [](std::string_view tag) {
        return tag.starts_with("W/") ? tag.substr(2) : tag;
    };
    if (trim_blanks(if_none_match) == "*") {
        return true;
    }
    for (const auto candidate : comma_list(if_none_match)) {
        if (strip_weak(candidate) == strip_weak(etag)) {
            return true;
        }
    }
    return false;
}

}  // namespace poki::http
