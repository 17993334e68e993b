// The service manager's end of $NOTIFY_SOCKET, for tests of the notify protocol.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <filesystem>
#include <optional>
#include <poll.h>
#include <stdexcept>
#include <string>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "support/test_support.hpp"

namespace poki::test {

/// The service manager's end of $NOTIFY_SOCKET: a datagram socket bound to a path, or to a
/// name in the abstract namespace.
class notify_socket {
  public:
    explicit notify_socket(bool abstract = false) : dir_{temp_dir("poki-notify")} {
        fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        sockaddr_un address{};
        address.sun_family = AF_UNIX;
        name_ = abstract ? "@" + dir_.filename().string() : (dir_ / "notify.sock").string();
        std::copy(name_.begin(), name_.end(), static_cast<char*>(address.sun_path));
        if (abstract) {
            address.sun_path[0] = '\0';
        }
        const auto length = offsetof(sockaddr_un, sun_path) + name_.size() + (abstract ? 0 : 1);
        // NOLINTNEXTLINE(cppcoreguidelines-pro-type-reinterpret-cast): the sockets API
        if (::bind(fd_, reinterpret_cast<const sockaddr*>(&address),
                   static_cast<socklen_t>(length)) != 0) {
            throw std::runtime_error{"cannot bind the notify socket " + name_};
        }
    }
    ~notify_socket() {
        ::close(fd_);
        std::filesystem::remove_all(dir_);
    }
    notify_socket(const notify_socket&) = delete;
    notify_socket& operator=(const notify_socket&) = delete;

    /// What NOTIFY_SOCKET says.
    [[nodiscard]] const std::string& name() const { return name_; }

    /// The next datagram, or nothing when none came within `timeout`.
    std::optional<std::string> next(std::chrono::milliseconds timeout) {
        pollfd wanted{fd_, POLLIN, 0};
        if (::poll(&wanted, 1, static_cast<int>(timeout.count())) <= 0) {
            return std::nullopt;
        }
        std::string message(4096, '\0');
        const auto size = ::recv(fd_, message.data(), message.size(), 0);
        if (size < 0) {
            return std::nullopt;
        }
        message.resize(static_cast<std::size_t>(size));
        return message;
    }

    /// The next datagram that is not a watchdog ping, within `timeout`.
    std::optional<std::string> next_state(std::chrono::milliseconds timeout) {
        const auto until = std::chrono::steady_clock::now() + timeout;
        while (std::chrono::steady_clock::now() < until) {
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                until - std::chrono::steady_clock::now());
            auto message = next(std::max(left, std::chrono::milliseconds{1}));
            if (message && *message != "WATCHDOG=1") {
                return message;
            }
        }
        return std::nullopt;
    }

  private:
    std::filesystem::path dir_;
    std::string name_;
    int fd_ = -1;
};

}  // namespace poki::test
