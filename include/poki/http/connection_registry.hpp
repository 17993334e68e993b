// The live connections, so that shutdown can close idle ones and let busy ones finish.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <unordered_map>

namespace poki::http {

/// A connection the server keeps track of: it can be asked to stop, and it says whether the
/// I/O it waits for has run past its deadline.
class tracked_connection {
  public:
    virtual ~tracked_connection() = default;
    /// After the current request (graceful) or at once. Called from any thread;
    /// implementations post onto their own strand.
    virtual void stop(bool immediately) = 0;
    /// Thread-safe: the connection waits for I/O whose deadline is before `now`.
    [[nodiscard]] virtual bool overdue(
        std::chrono::steady_clock::time_point now) const noexcept = 0;
};

class connection_registry {
  public:
    /// Removes its connection from the registry when destroyed.
    class registration {
      public:
        registration() = default;
        registration(connection_registry* owner, std::uint64_t id) : owner_{owner}, id_{id} {}
        registration(registration&& other) noexcept : owner_{other.owner_}, id_{other.id_} {
            other.owner_ = nullptr;
        }
        registration& operator=(registration&& other) noexcept;
        registration(const registration&) = delete;
        registration& operator=(const registration&) = delete;
        ~registration();

      private:
        connection_registry* owner_ = nullptr;
        std::uint64_t id_ = 0;
    };

    [[nodiscard]] registration add(const std::weak_ptr<tracked_connection>& connection);

    /// Asks every connection to stop; new connections added later are told to drain at once.
    void stop_all(bool immediately);

    /// Closes every connection whose I/O deadline has passed; returns how many. One sweep
    /// over all connections replaces a timer per read and write (they cost ~15% of a small
    /// request's time); deadlines are kept to within the sweep interval.
    std::size_t close_overdue(std::chrono::steady_clock::time_point now);

    [[nodiscard]] bool draining() const noexcept {
        return draining_.load(std::memory_order_acquire);
    }

    /// From now on every answer says `Connection: close`, so keep-alive clients reconnect
    /// (to whichever process serves next) instead of holding a connection drain will close.
    void wind_down() noexcept { winding_down_.store(true, std::memory_order_release); }
    [[nodiscard]] bool winding_down() const noexcept {
        return winding_down_.load(std::memory_order_acquire) || draining();
    }
    [[nodiscard]] std::size_t size() const;

  private:
    void remove(std::uint64_t id);

    mutable std::mutex mutex_;
    std::unordered_map<std::uint64_t, std::weak_ptr<tracked_connection>> connections_;
    std::uint64_t next_id_ = 1;
    std::atomic<bool> draining_{false};
    std::atomic<bool> winding_down_{false};
};

}  // namespace poki::http
