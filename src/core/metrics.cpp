#include "poki/core/metrics.hpp"

#include <array>
#include <charconv>
#include <cmath>
#include <cstdio>

namespace poki {
namespace {

constexpr std::array<double, 14> request_latency_bounds{
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0};

void append_number(std::string& out, double value) {
    if (std::isnan(value)) {
        out += "NaN";
        return;
    }
    if (std::isinf(value)) {
        out += value > 0 ? "+Inf" : "-Inf";
        return;
    }
    std::array<char, 40> buf{};
    if (std::floor(value) == value && std::fabs(value) < 1e15) {
        const int n = std::snprintf(buf.data(), buf.size(), "%.0f", value);
        out.append(buf.data(), static_cast<std::size_t>(n > 0 ? n : 0));
        return;
    }
    // The shortest text that reads back as the same double: a Unix time keeps its fraction.
    const auto [end, ec] = std::to_chars(buf.data(), buf.data() + buf.size(), value);
    out.append(buf.data(), ec == std::errc{} ? end : buf.data());
}

}  // namespace

std::span<const double> latency_buckets() noexcept {
    return request_latency_bounds;
}

histogram::histogram(std::span<const double> upper_bounds)
    : bounds_{upper_bounds.begin(), upper_bounds.end()}
    , buckets_{std::make_unique<std::atomic<std::uint64_t>[]>(bounds_.size() + 1)} {}

void histogram::observe(double value) noexcept {
    std::size_t i = 0;
    while (i < bounds_.size() && value > bounds_[i]) {
        ++i;
    }
    buckets_[i].fetch_add(1, std::memory_order_relaxed);
    count_.fetch_add(1, std::memory_order_relaxed);
    const auto nanos = value <= 0 ? 0ULL : static_cast<std::uint64_t>(value * 1e9);
    sum_nanos_.fetch_add(nanos, std::memory_order_relaxed);
}

void histogram::render(std::string& out, std::string_view name, std::string_view labels) const {
    std::uint64_t cumulative = 0;
    const std::string prefix = labels.empty() ? std::string{} : std::string{labels} + ",";
    for (std::size_t i = 0; i <= bounds_.size(); ++i) {
        cumulative += buckets_[i].load(std::memory_order_relaxed);
        std::string le;
        if (i == bounds_.size()) {
            le = "+Inf";
        } else {
            append_number(le, bounds_[i]);
        }
        out += name;
        out += "_bucket{";
        out += prefix;
        out += "le=\"";
        out += le;
        out += "\"} ";
        out += std::to_string(cumulative);
        out += '\n';
    }
    append_metric(out, std::string{name} + "_sum", labels,
                  static_cast<double>(sum_nanos_.load(std::memory_order_relaxed)) / 1e9);
    append_metric(out, std::string{name} + "_count", labels,
                  static_cast<double>(count_.load(std::memory_order_relaxed)));
}

void metrics_registry::add(collector c) {
    const std::lock_guard lock{mutex_};
    collectors_.push_back(std::move(c));
}

std::string metrics_registry::render() const {
    std::string out;
    out.reserve(std::size_t{16} * 1024);
    const std::lock_guard lock{mutex_};
    for (const auto& c : collectors_) {
        c(out);
    }
    return out;
}

void append_metric_header(std::string& out, std::string_view name, std::string_view type,
                          std::string_view help) {
    out += "# HELP ";
    out += name;
    out += ' ';
    out += help;
    out += "\n# TYPE ";
    out += name;
    out += ' ';
    out += type;
    out += '\n';
}

void append_metric(std::string& out, std::string_view name, std::string_view labels, double value) {
    out += name;
    if (!labels.empty()) {
        out += '{';
        out += labels;
        out += '}';
    }
    out += ' ';
    append_number(out, value);
    out += '\n';
}

void append_single_metric(std::string& out, std::string_view name, std::string_view type,
                          std::string_view help, double value) {
    append_metric_header(out, name, type, help);
    append_metric(out, name, "", value);
}

void append_counter(std::string& out, std::string_view name, std::string_view help, double value) {
    append_single_metric(out, name, "counter", help, value);
}

void append_counter(std::string& out, std::string_view name, std::string_view help,
                    const std::atomic<std::uint64_t>& value) {
    append_counter(out, name, help, static_cast<double>(value.load(std::memory_order_relaxed)));
}

std::string escape_label(std::string_view value) {
    std::string out;
    out.reserve(value.size());
    for (const char c : value) {
        if (c == '\\' || c == '"') {
            out.push_back('\\');
            out.push_back(c);
        } else if (c == '\n') {
            out += "\\n";
        } else {
            out.push_back(c);
        }
    }
    return out;
}

}  // namespace poki
