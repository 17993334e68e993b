#include "poki/schedule/schedule_json.hpp"

#include <algorithm>
#include <array>
#include <charconv>

namespace poki::schedule {
namespace {

constexpr std::array<std::string_view, 7> weekday_names{"mon", "tue", "wed", "thu",
                                                        "fri", "sat", "sun"};
constexpr int max_interval = 99;
constexpr int max_count = 1000;

/// Exactly `digits` decimal digits at `pos`, or nullopt.
std::optional<int> digits_at(std::string_view text, std::size_t pos, std::size_t digits) {
    if (pos + digits > text.size()) {
        return std::nullopt;
    }
    int value = 0;
    for (std::size_t i = pos; i < pos + digits; ++i) {
        if (text[i] < '0' || text[i] > '9') {
            return std::nullopt;
        }
        value = value * 10 + (text[i] - '0');
    }
    return value;
}

/// 0 ≤ value < 10^width as exactly `width` digits. date::format would take a stream and
/// its locale for each (a third of the calendar route's JSON time).
void append_digits(std::string& out, long long value, std::size_t width) {
    const auto at = out.size();
    out.append(width, '0');
    for (auto i = width; i > 0 && value > 0; --i, value /= 10) {
        out[at + i - 1] = static_cast<char>('0' + value % 10);
    }
}

void append_date(std::string& out, date::local_days day) {
    const date::year_month_day ymd{day};
    append_digits(out, static_cast<int>(ymd.year()), 4);
    out += '-';
    append_digits(out, static_cast<unsigned>(ymd.month()), 2);
    out += '-';
    append_digits(out, static_cast<unsigned>(ymd.day()), 2);
}

/// 0–99 as two digits.
std::string two_digits(long long n) {
    return {static_cast<char>('0' + n / 10 % 10), static_cast<char>('0' + n % 10)};
}

std::optional<std::uint8_t> read_weekdays(json_reader& in, const nlohmann::json& repeat) {
    const auto found = repeat.find("weekdays");
    if (found == repeat.end() || found->is_null()) {
        return std::uint8_t{0};
    }
    const auto fail = [&in] {
        in.add_error("repeat.weekdays", "invalid",
                     "Must be a list of weekdays: mon, tue, wed, thu, fri, sat, sun.");
        return std::nullopt;
    };
    if (!found->is_array() || found->empty() || found->size() > 7) {
        return fail();
    }
    std::uint8_t mask = 0;
    for (const auto& item : *found) {
        if (!item.is_string()) {
            return fail();
        }
        const auto name = item.get<std::string>();
        const auto* at = std::find(weekday_names.begin(), weekday_names.end(), name);
        if (at == weekday_names.end()) {
            return fail();
        }
        mask |= weekday_bit(static_cast<unsigned>(at - weekday_names.begin()) + 1);
    }
    return mask;
}

/// The "repeat" object's fields; problems named "repeat.<field>".
repeat_rule read_repeat(json_reader& outer, const nlohmann::json& repeat,
                        date::local_days starts_on) {
    json_reader in{repeat};
    in.reject_unknown({"every", "interval", "weekdays", "month_day", "until", "count"});
    repeat_rule rule;
    const auto every = in.required_enum("every", {"day", "week", "month"});
    rule.every = parse_frequency(every).value_or(frequency::day);
    rule.interval = static_cast<int>(in.optional_integer("interval", 1, max_interval).value_or(1));
    if (const auto mask = read_weekdays(in, repeat); mask && *mask != 0) {
        if (rule.every != frequency::week) {
            in.add_error("weekdays", "not_allowed", "Only a weekly repeat has weekdays.");
        }
        rule.weekdays = *mask;
    }
    if (const auto day = in.optional_integer("month_day", 1, 31)) {
        if (rule.every != frequency::month) {
            in.add_error("month_day", "not_allowed",
                         "Only a monthly repeat has a day of the month.");
        }
        rule.month_day = static_cast<int>(*day);
    }
    if (const auto until = in.optional_string("until", {.min_chars = 1, .max_chars = 10})) {
        rule.until = parse_date(*until);
        if (!rule.until) {
            in.add_error("until", "not_a_date", "Must be a date like 2027-03-01.");
        } else if (*rule.until < starts_on) {
            in.add_error("until", "before_start", "Must not lie before starts_on.");
        }
    }
    if (const auto count = in.optional_integer("count", 1, max_count)) {
        rule.count = static_cast<int>(*count);
    }
    if (rule.until && rule.count) {
        in.add_error("count", "not_allowed", "Give until or count, not both.");
    }
    for (const auto& e : in.errors()) {
        const auto field = e.field.rfind("repeat.", 0) == 0 ? e.field : "repeat." + e.field;
        outer.add_error(field, e.code, e.message, e.limits);
    }
    return rule;
}

}  // namespace

std::optional<date::local_days> parse_date(std::string_view text) {
    if (text.size() != 10 || text[4] != '-' || text[7] != '-') {
        return std::nullopt;
    }
    const auto y = digits_at(text, 0, 4);
    const auto m = digits_at(text, 5, 2);
    const auto d = digits_at(text, 8, 2);
    if (!y || !m || !d || *y < 1900) {
        return std::nullopt;
    }
    const date::year_month_day ymd{date::year{*y}, date::month{static_cast<unsigned>(*m)},
                                   date::day{static_cast<unsigned>(*d)}};
    if (!ymd.ok()) {
        return std::nullopt;
    }
    return date::local_days{ymd};
}

std::string format_date(date::local_days day) {
    std::string out;
    out.reserve(10);
    append_date(out, day);
    return out;
}

std::optional<std::chrono::seconds> parse_time_of_day(std::string_view text) {
    if ((text.size() != 5 && text.size() != 8) || text[2] != ':' ||
        (text.size() == 8 && text[5] != ':')) {
        return std::nullopt;
    }
    const auto h = digits_at(text, 0, 2);
    const auto m = digits_at(text, 3, 2);
    const auto s = text.size() == 8 ? digits_at(text, 6, 2) : std::optional<int>{0};
    if (!h || !m || !s || *h > 23 || *m > 59 || *s > 59) {
        return std::nullopt;
    }
    return std::chrono::hours{*h} + std::chrono::minutes{*m} + std::chrono::seconds{*s};
}

std::string format_time_of_day(std::chrono::seconds t) {
    const auto total = t.count();
    auto text = two_digits(total / 3600) + ":" + two_digits(total / 60 % 60);
    if (total % 60 != 0) {
        text += ":" + two_digits(total % 60);
    }
    return text;
}

std::optional<date::local_seconds> parse_local_time(std::string_view text) {
    if (text.size() < 16 || text[10] != 'T') {
        return std::nullopt;
    }
    const auto day = parse_date(text.substr(0, 10));
    const auto time = parse_time_of_day(text.substr(11));
    if (!day || !time) {
        return std::nullopt;
    }
    return date::local_seconds{*day} + *time;
}

std::string format_local_time(date::local_seconds t) {
    const auto day = date::floor<date::days>(t);
    const auto seconds = (t - day).count();
    std::string out;
    out.reserve(19);
    append_date(out, day);
    out += 'T';
    append_digits(out, seconds / 3600, 2);
    out += ':';
    append_digits(out, seconds / 60 % 60, 2);
    out += ':';
    append_digits(out, seconds % 60, 2);
    return out;
}

std::optional<date::local_days> read_date(json_reader& in, std::string_view field) {
    const auto text = in.required_string(field, {.min_chars = 1, .max_chars = 10});
    if (text.empty()) {
        return std::nullopt;  // reported as missing already
    }
    const auto day = parse_date(text);
    if (!day) {
        in.add_error(field, "not_a_date", "Must be a date like 2026-12-07.");
    }
    return day;
}

recurrence read_recurrence(json_reader& in, const nlohmann::json& body) {
    recurrence r;
    const auto starts_on = read_date(in, "starts_on");
    r.starts_on = starts_on.value_or(date::local_days{});
    const auto at_text = in.required_string("at", {.min_chars = 1, .max_chars = 8});
    if (!at_text.empty()) {
        const auto at = parse_time_of_day(at_text);
        if (!at) {
            in.add_error("at", "not_a_time", "Must be a local time of day like 19:00.");
        }
        r.at = at.value_or(std::chrono::seconds{0});
    }
    r.repeat = read_repeat_member(in, body, r.starts_on);
    return r;
}

repeat_rule read_repeat_member(json_reader& in, const nlohmann::json& body,
                               date::local_days starts_on) {
    if (!body.is_object()) {
        return {};
    }
    const auto repeat = body.find("repeat");
    if (repeat == body.end() || repeat->is_null()) {
        return {};
    }
    if (!repeat->is_object()) {
        in.add_error("repeat", "not_an_object",
                     R"(Must be an object like {"every": "week", "weekdays": ["mon"]}, or null.)");
        return {};
    }
    return read_repeat(in, *repeat, starts_on);
}

nlohmann::json repeat_json(const repeat_rule& rule) {
    if (rule.every == frequency::once) {
        return nullptr;
    }
    nlohmann::json out{{"every", to_string(rule.every)}, {"interval", rule.interval}};
    auto days = nlohmann::json::array();
    for (unsigned iso = 1; iso <= 7; ++iso) {
        if ((rule.weekdays & weekday_bit(iso)) != 0) {
            days.push_back(weekday_names[iso - 1]);
        }
    }
    out["weekdays"] = rule.every == frequency::week ? days : nlohmann::json(nullptr);
    out["month_day"] =
        rule.month_day != 0 ? nlohmann::json(rule.month_day) : nlohmann::json(nullptr);
    out["until"] = rule.until ? nlohmann::json(format_date(*rule.until)) : nlohmann::json(nullptr);
    out["count"] = rule.count ? nlohmann::json(*rule.count) : nlohmann::json(nullptr);
    return out;
}

void add_recurrence_fields(nlohmann::json& out, const recurrence& r) {
    out["starts_on"] = format_date(r.starts_on);
    out["at"] = format_time_of_day(r.at);
    out["repeat"] = repeat_json(r.repeat);
}

void write_recurrence_fields(json_writer& out, const recurrence& r) {
    out.field("starts_on", format_date(r.starts_on));
    out.field("at", format_time_of_day(r.at));
    out.key("repeat").raw(repeat_json(r.repeat).dump());
}

}  // namespace poki::schedule
