#include "poki/db/utc_time.hpp"

#include <stdexcept>

#include "poki/db/sql_text.hpp"

namespace poki::db {
namespace {

bool digits(std::string_view text) {
    for (const char c : text) {
        if (c < '0' || c > '9') {
            return false;
        }
    }
    return true;
}

}  // namespace

std::string utc(std::string_view expression) {
    return sql({"(", expression, ") AT TIME ZONE 'UTC'"});
}

std::string rfc3339_from_utc(std::string_view text) {
    // "YYYY-MM-DD HH:MM:SS" then, when the microseconds are not zero, "." and up to six digits.
    constexpr std::size_t whole = 19;
    const bool shaped = text.size() >= whole && text[4] == '-' && text[7] == '-' &&
                        text[10] == ' ' && text[13] == ':' && text[16] == ':' &&
                        digits(text.substr(0, 4)) && digits(text.substr(5, 2)) &&
                        digits(text.substr(8, 2)) && digits(text.substr(11, 2)) &&
                        digits(text.substr(14, 2)) && digits(text.substr(17, 2));
    const auto fraction = text.substr(std::min(text.size(), whole));
    const bool fraction_ok = fraction.empty() || (fraction.size() >= 2 && fraction.size() <= 7 &&
                                                  fraction[0] == '.' && digits(fraction.substr(1)));
    if (!shaped || !fraction_ok) {
        throw std::runtime_error{
            "a timestamp column is not in the ISO shape its statement promises"};
    }
    std::string out;
    out.reserve(24);
    out.append(text.substr(0, 10)).append(1, 'T').append(text.substr(11, 8)).append(1, '.');
    const auto ms = fraction.empty() ? std::string_view{} : fraction.substr(1, 3);
    out.append(ms).append(3 - ms.size(), '0').append(1, 'Z');
    return out;
}

}  // namespace poki::db
