// Prometheus text exposition: lock-free counters and histograms, and a registry of collectors.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace poki {

/// Cumulative histogram with fixed upper bounds (seconds), safe to observe from any thread.
class histogram {
  public:
    explicit histogram(std::span<const double> upper_bounds);

    void observe(double value) noexcept;

    /// Appends name_bucket{le=…}, name_sum and name_count lines; `labels` is `a="b",c="d"` or "".
    void render(std::string& out, std::string_view name, std::string_view labels) const;

    [[nodiscard]] std::uint64_t count() const noexcept {
        return count_.load(std::memory_order_relaxed);
    }

  private:
    std::vector<double> bounds_;
    std::unique_ptr<std::atomic<std::uint64_t>[]> buckets_;  // one more than bounds_ (+Inf)
    std::atomic<std::uint64_t> count_{0};
    std::atomic<std::uint64_t> sum_nanos_{0};
};

/// Latency buckets for request handling, in seconds.
[[nodiscard]] std::span<const double> latency_buckets() noexcept;

/// Collects the text of every component at scrape time.
class metrics_registry {
  public:
    using collector = std::function<void(std::string&)>;

    void add(collector c);
    [[nodiscard]] std::string render() const;

  private:
    mutable std::mutex mutex_;
    std::vector<collector> collectors_;
};

/// Appends "# HELP" and "# TYPE" lines.
void append_metric_header(std::string& out, std::string_view name, std::string_view type,
                          std::string_view help);

/// A family of one unlabelled sample: its HELP and TYPE lines, then the sample.
void append_single_metric(std::string& out, std::string_view name, std::string_view type,
                          std::string_view help, double value);
/// The same for a counter.
void append_counter(std::string& out, std::string_view name, std::string_view help, double value);
void append_counter(std::string& out, std::string_view name, std::string_view help,
                    const std::atomic<std::uint64_t>& value);

/// Appends `name{labels} value\n` (labels may be empty).
void append_metric(std::string& out, std::string_view name, std::string_view labels, double value);

/// Escapes a label value (backslash, quote, newline).
[[nodiscard]] std::string escape_label(std::string_view value);

}  // namespace poki
