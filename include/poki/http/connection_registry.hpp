// The live connections, so that shutdown can close idle ones and let busy ones finish.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <unordered_map>

namespace poki::http {

/// Something that can be asked to stop: after its current request (graceful) or at once.
class stoppable {
  public:
    virtual ~stoppable() = default;
    /// Called from any thread; implementations post onto their own strand.
    virtual void stop(bool immediately) = 0;
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

    [[nodiscard]] registration add(std::weak_ptr<stoppable> connection);

    /// Asks every connection to stop; new connections added later are told to drain at once.
    void stop_all(bool immediately);

    [[nodiscard]] bool draining() const noexcept {
        return draining_.load(std::memory_order_acquire);
    }
    [[nodiscard]] std::size_t size() const;

  private:
    void remove(std::uint64_t id);

    mutable std::mutex mutex_;
    std::unordered_map<std::uint64_t, std::weak_ptr<stoppable>> connections_;
    std::uint64_t next_id_ = 1;
    std::atomic<bool> draining_{false};
};

}  // namespace poki::http
