// The access log: one JSON line per request, in the same shape as every other log line, but
// batched. io threads only append to a buffer; a thread of its own writes it out every
// 100 ms. A line per request through the general logger (a wake-up and a write each) cost a
// fifth of a small request's time.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

namespace poki::log {

class access_log {
  public:
    /// Writes to `out` (stdout in the server). Lines beyond `max_pending_bytes` not yet written
    /// are dropped and counted rather than blocking an io thread.
    explicit access_log(std::FILE* out,
                        std::size_t max_pending_bytes = std::size_t{8} * 1024 * 1024);
    ~access_log();
    access_log(const access_log&) = delete;
    access_log& operator=(const access_log&) = delete;

    /// Appends {"ts":…,"level":"info",<fields>}; `fields` is a format_line() body.
    void write(std::string_view fields);

    /// Writes out everything appended so far.
    void flush();

    [[nodiscard]] std::uint64_t dropped() const;

  private:
    void run(const std::stop_token& stop);
    void append_timestamp();

    std::FILE* out_;
    std::size_t max_pending_;
    mutable std::mutex mutex_;
    std::condition_variable_any wake_;
    std::string pending_;
    std::int64_t cached_second_ = -1;
    std::string cached_prefix_;  // {"ts":"YYYY-MM-DDTHH:MM:SS
    std::uint64_t dropped_ = 0;
    std::mutex write_mutex_;  // one writer at a time, so lines keep their order
    std::jthread writer_;
};

}  // namespace poki::log
