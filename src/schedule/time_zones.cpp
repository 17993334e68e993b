#include "poki/schedule/time_zones.hpp"

#include <stdexcept>
#include <string>

namespace poki::schedule {

const date::time_zone* find_zone(std::string_view name) noexcept {
    if (name.empty() || name.size() > 64) {
        return nullptr;
    }
    try {
        return date::locate_zone(name);
    } catch (const std::exception&) {  // "not found in timezone database"
        return nullptr;
    }
}

std::chrono::sys_seconds to_instant(const date::time_zone& zone, date::local_seconds local) {
    const auto info = zone.get_info(local);
    // For a unique time `first` is its offset; in a gap, the offset before the gap; twice
    // over, the first of the two. One expression covers the three.
    return std::chrono::sys_seconds{local.time_since_epoch() - info.first.offset};
}

const date::time_zone& stored_zone(std::string_view name) {
    const auto* zone = find_zone(name);
    if (zone == nullptr) {
        throw std::runtime_error{"time zone " + std::string{name} + " is not in the tz database"};
    }
    return *zone;
}

date::local_days local_date(const date::time_zone& zone, std::chrono::sys_seconds instant) {
    return date::floor<date::days>(zone.to_local(instant));
}

date::local_seconds to_local(const date::time_zone& zone, std::chrono::sys_seconds instant) {
    return zone.to_local(instant);
}

}  // namespace poki::schedule
