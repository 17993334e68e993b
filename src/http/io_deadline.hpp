// The deadline of a connection's pending I/O, read by the server's sweep from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <limits>

namespace poki::http {

class io_deadline {
  public:
    /// The next I/O must finish within `timeout`; the server's sweep closes the connection
    /// otherwise.
    void arm(std::chrono::milliseconds timeout) noexcept {
        ticks_.store((std::chrono::steady_clock::now() + timeout).time_since_epoch().count(),
                     std::memory_order_relaxed);
    }
    void disarm() noexcept { ticks_.store(none, std::memory_order_relaxed); }
    [[nodiscard]] bool passed(std::chrono::steady_clock::time_point now) const noexcept {
        return ticks_.load(std::memory_order_relaxed) < now.time_since_epoch().count();
    }

  private:
    static constexpr std::int64_t none = std::numeric_limits<std::int64_t>::max();
    std::atomic<std::int64_t> ticks_{none};  // steady_clock ticks
};

}  // namespace poki::http
