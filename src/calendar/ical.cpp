#include "poki/calendar/ical.hpp"

#include <array>

namespace poki::calendar::ical {
namespace {

constexpr std::array<std::string_view, 7> ical_weekdays{"MO", "TU", "WE", "TH", "FR", "SA", "SU"};
constexpr std::size_t fold_at = 75;

/// "+0900", "-0430"
std::string offset_text(std::chrono::seconds offset) {
    const auto total = offset.count();
    const auto magnitude = total < 0 ? -total : total;
    const auto hours = magnitude / 3600;
    const auto minutes = magnitude / 60 % 60;
    std::string out{total < 0 ? '-' : '+'};
    out += static_cast<char>('0' + hours / 10);
    out += static_cast<char>('0' + hours % 10);
    out += static_cast<char>('0' + minutes / 10);
    out += static_cast<char>('0' + minutes % 10);
    return out;
}

/// Whether byte `i` of `s` starts a UTF-8 sequence (a fold never splits a character).
bool starts_character(std::string_view s, std::size_t i) {
    return (static_cast<unsigned char>(s[i]) & 0xC0U) != 0x80U;
}

}  // namespace

std::string escape_text(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        switch (c) {
            case '\\':
                out += "\\\\";
                break;
            case ';':
                out += "\\;";
                break;
            case ',':
                out += "\\,";
                break;
            case '\r':
                if (i + 1 < text.size() && text[i + 1] == '\n') {
                    ++i;
                }
                out += "\\n";
                break;
            case '\n':
                out += "\\n";
                break;
            default:
                // Other control characters are not allowed in TEXT; drop them.
                if (static_cast<unsigned char>(c) >= 0x20 || c == '\t') {
                    out += c;
                }
        }
    }
    return out;
}

std::string utc_stamp(std::chrono::sys_seconds t) {
    return date::format("%Y%m%dT%H%M%SZ", t);
}

std::string local_stamp(date::local_seconds t) {
    return date::format("%Y%m%dT%H%M%S", t);
}

std::string date_stamp(date::local_days d) {
    return date::format("%Y%m%d", d);
}

std::optional<std::string> rrule(const schedule::repeat_rule& rule, date::local_days first,
                                 std::chrono::seconds at, const date::time_zone& zone,
                                 bool all_day) {
    using schedule::frequency;
    std::string out;
    switch (rule.every) {
        case frequency::once:
            return std::nullopt;
        case frequency::day:
            out = "FREQ=DAILY";
            break;
        case frequency::week: {
            out = "FREQ=WEEKLY;WKST=MO;BYDAY=";
            const auto mask = rule.weekdays != 0
                                  ? rule.weekdays
                                  : schedule::weekday_bit(date::weekday{first}.iso_encoding());
            bool any = false;
            for (unsigned iso = 1; iso <= 7; ++iso) {
                if ((mask & schedule::weekday_bit(iso)) != 0) {
                    out += any ? "," : "";
                    out += ical_weekdays[iso - 1];
                    any = true;
                }
            }
            break;
        }
        case frequency::month: {
            const auto day = rule.month_day != 0
                                 ? static_cast<unsigned>(rule.month_day)
                                 : static_cast<unsigned>(date::year_month_day{first}.day());
            out = "FREQ=MONTHLY;BYMONTHDAY=" + std::to_string(day);
            break;
        }
    }
    if (rule.interval > 1) {
        out += ";INTERVAL=" + std::to_string(rule.interval);
    }
    if (rule.count) {
        out += ";COUNT=" + std::to_string(*rule.count);
    } else if (rule.until) {
        // With a zoned DTSTART, UNTIL must be UTC (§3.3.10); with a DATE one, a DATE.
        out += ";UNTIL=";
        if (all_day) {
            out += date_stamp(*rule.until);
        } else {
            const auto last = date::local_seconds{*rule.until} + at;
            const auto info = zone.get_info(last);
            out += utc_stamp(std::chrono::sys_seconds{last.time_since_epoch() - info.first.offset});
        }
    }
    return out;
}

writer::writer(std::string_view product_id) {
    begin("VCALENDAR");
    line("VERSION", "2.0");
    line("PRODID", product_id);
    line("CALSCALE", "GREGORIAN");
    line("METHOD", "PUBLISH");
}

writer& writer::line(std::string_view name, std::string_view value) {
    std::string content{name};
    content += ':';
    content += value;
    // Fold: at most 75 octets a line, continuation lines start with a space (§3.1).
    std::size_t start = 0;
    std::size_t limit = fold_at;
    while (content.size() - start > limit) {
        auto cut = start + limit;
        while (cut > start && !starts_character(content, cut)) {
            --cut;
        }
        out_.append(content, start, cut - start);
        out_ += "\r\n ";
        start = cut;
        limit = fold_at - 1;  // the leading space counts
    }
    out_.append(content, start);
    out_ += "\r\n";
    return *this;
}

writer& writer::text(std::string_view name, std::string_view value) {
    return line(name, escape_text(value));
}

writer& writer::begin(std::string_view component) {
    return line("BEGIN", component);
}

writer& writer::end(std::string_view component) {
    return line("END", component);
}

writer& writer::time_zone(const date::time_zone& zone, std::chrono::sys_seconds from,
                          std::chrono::sys_seconds through) {
    begin("VTIMEZONE");
    line("TZID", zone.name());
    auto info = zone.get_info(from);
    auto previous_offset = info.offset;
    // The offset in force at `from`, as an observance that begins there.
    const auto observance = [&](const date::sys_info& i, std::chrono::sys_seconds onset,
                                std::chrono::seconds offset_before) {
        const bool daylight = i.save != std::chrono::minutes{0};
        begin(daylight ? "DAYLIGHT" : "STANDARD");
        // DTSTART is the onset in the local time in force before it.
        line("DTSTART", local_stamp(date::local_seconds{onset.time_since_epoch() + offset_before}));
        line("TZOFFSETFROM", offset_text(offset_before));
        line("TZOFFSETTO", offset_text(i.offset));
        if (!i.abbrev.empty() && i.abbrev.front() != '+' && i.abbrev.front() != '-') {
            line("TZNAME", i.abbrev);
        }
        end(daylight ? "DAYLIGHT" : "STANDARD");
    };
    const auto first_onset = std::chrono::floor<std::chrono::seconds>(from);
    observance(info, first_onset, info.offset);
    constexpr int max_changes = 400;  // two a year for two centuries: a bound, not a limit met
    for (int i = 0; i < max_changes && info.end <= through; ++i) {
        previous_offset = info.offset;
        const auto onset = std::chrono::floor<std::chrono::seconds>(info.end);
        info = zone.get_info(info.end);
        observance(info, onset, previous_offset);
    }
    end("VTIMEZONE");
    return *this;
}

std::string writer::finish() && {
    end("VCALENDAR");
    return std::move(out_);
}

}  // namespace poki::calendar::ical
