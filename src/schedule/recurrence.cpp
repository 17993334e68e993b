#include "poki/schedule/recurrence.hpp"

#include <algorithm>
#include <array>

namespace poki::schedule {
namespace {

using date::days;
using date::local_days;

/// Emits dates in order and stops at the recurrence's end (its last date or its count).
class date_emitter {
  public:
    date_emitter(const repeat_rule& rule, local_days last,
                 const std::function<bool(local_days)>& visit)
        : last_{rule.until ? std::min(last, *rule.until) : last}
        , count_{rule.count}
        , visit_{visit} {}

    [[nodiscard]] local_days last() const { return last_; }

    /// False once nothing more may be emitted.
    bool operator()(local_days day) {
        if (day > last_ || (count_ && made_ >= *count_)) {
            return false;
        }
        ++made_;
        return visit_(day);
    }

  private:
    local_days last_;
    std::optional<int> count_;
    int made_ = 0;
    const std::function<bool(local_days)>& visit_;
};

void daily(const recurrence& r, date_emitter& emit) {
    for (auto day = r.starts_on;; day += days{r.repeat.interval}) {
        if (!emit(day)) {
            return;
        }
    }
}

void weekly(const recurrence& r, date_emitter& emit) {
    const auto first_weekday = date::weekday{r.starts_on}.iso_encoding();
    const auto mask = r.repeat.weekdays != 0 ? r.repeat.weekdays : weekday_bit(first_weekday);
    const auto first_monday = r.starts_on - days{first_weekday - 1};
    for (auto monday = first_monday; monday <= emit.last(); monday += days{7 * r.repeat.interval}) {
        for (unsigned iso = 1; iso <= 7; ++iso) {
            const auto day = monday + days{iso - 1};
            if ((mask & weekday_bit(iso)) == 0 || day < r.starts_on) {
                continue;
            }
            if (!emit(day)) {
                return;
            }
        }
    }
}

void monthly(const recurrence& r, date_emitter& emit) {
    const date::year_month_day first{r.starts_on};
    const auto wanted = r.repeat.month_day != 0
                            ? date::day{static_cast<unsigned>(r.repeat.month_day)}
                            : first.day();
    for (auto month = first.year() / first.month(); local_days{month / 1} <= emit.last();
         month += date::months{r.repeat.interval}) {
        const auto candidate = month / wanted;
        if (!candidate.ok()) {  // the 31st in a 30-day month, the 29th of February: not this month
            continue;
        }
        const local_days day{candidate};
        if (day < r.starts_on) {
            continue;
        }
        if (!emit(day)) {
            return;
        }
    }
}

}  // namespace

std::string_view to_string(frequency f) noexcept {
    switch (f) {
        case frequency::once:
            return "once";
        case frequency::day:
            return "day";
        case frequency::week:
            return "week";
        case frequency::month:
            return "month";
    }
    return "once";
}

std::optional<frequency> parse_frequency(std::string_view text) noexcept {
    for (const auto f : {frequency::once, frequency::day, frequency::week, frequency::month}) {
        if (to_string(f) == text) {
            return f;
        }
    }
    return std::nullopt;
}

void for_each_date(const recurrence& r, local_days last,
                   const std::function<bool(local_days)>& visit) {
    date_emitter emit{r.repeat, last, visit};
    switch (r.repeat.every) {
        case frequency::once:
            (void)emit(r.starts_on);
            return;
        case frequency::day:
            daily(r, emit);
            return;
        case frequency::week:
            weekly(r, emit);
            return;
        case frequency::month:
            monthly(r, emit);
            return;
    }
}

bool happens_on(const recurrence& r, local_days day) {
    bool found = false;
    for_each_date(r, day, [&](local_days d) {
        found = d == day;
        return !found;
    });
    return found;
}

}  // namespace poki::schedule
