#include "poki/ideas/idea_types.hpp"

namespace poki::ideas {

std::string_view to_string(age_band band) noexcept {
    switch (band) {
        case age_band::preschool:
            return "3-6";
        case age_band::early_school:
            return "7-9";
        case age_band::late_school:
            return "10-13";
    }
    return "7-9";
}

std::optional<age_band> band_of_age(int age) noexcept {
    if (age < youngest_age || age > oldest_age) {
        return std::nullopt;
    }
    if (age <= 6) {
        return age_band::preschool;
    }
    return age <= 9 ? age_band::early_school : age_band::late_school;
}

}  // namespace poki::ideas
