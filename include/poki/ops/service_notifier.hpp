// The service manager's notify protocol (systemd's sd_notify(3)), written by hand: one
// datagram per state change to the socket named by $NOTIFY_SOCKET. Without it every call is
// a no-op, so the same binary runs under systemd, in a container and in a terminal.
#pragma once

#include <atomic>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "poki/core/config.hpp"

namespace poki::ops {

class service_notifier {
  public:
    /// Reads NOTIFY_SOCKET (a path, or "@name" for the abstract namespace) and
    /// WATCHDOG_USEC / WATCHDOG_PID.
    explicit service_notifier(const environment& env);
    ~service_notifier();
    service_notifier(const service_notifier&) = delete;
    service_notifier& operator=(const service_notifier&) = delete;

    [[nodiscard]] bool enabled() const noexcept { return socket_ >= 0; }

    /// Migrations ran and the listeners are up: the manager starts what comes After= us.
    void ready();
    /// Draining began: the manager shows "deactivating" while requests finish.
    void stopping();
    /// The io threads still run: sent from a timer on them, at `watchdog_interval()`.
    void watchdog();
    /// Free text for `systemctl status`.
    void status(std::string_view text);

    /// Half the manager's watchdog timeout (its advice), when it asked for pings from us.
    [[nodiscard]] std::optional<std::chrono::milliseconds> watchdog_interval() const noexcept {
        return watchdog_interval_;
    }

  private:
    /// Never blocks (MSG_DONTWAIT): a manager that stopped reading costs a lost datagram, not
    /// a stalled io thread.
    void send(std::string_view message);

    int socket_ = -1;
    std::string address_;  ///< sockaddr_un bytes, sized for sendto
    std::optional<std::chrono::milliseconds> watchdog_interval_;
    std::atomic<bool> warned_{false};  ///< one warning, not one per watchdog ping
};

}  // namespace poki::ops
