// A restart without a dropped request: a new server process starts on the same ports while
// the old one still serves (SO_REUSEPORT), becomes ready, and only then asks the old one to
// drain and exit. `poki handover` runs it; `poki serve --take-over PID` is the new server's
// side of it.
#pragma once

#include <chrono>
#include <string>
#include <sys/types.h>
#include <vector>

namespace poki::ops {

/// The running server a new one takes over from.
class predecessor {
  public:
    /// Throws std::runtime_error when `pid` is not a running poki process.
    explicit predecessor(pid_t pid);

    [[nodiscard]] pid_t pid() const noexcept { return pid_; }
    /// SIGTERM: it fails /readyz for its unready delay, stops accepting and drains.
    void ask_to_leave() const;
    /// It has exited (a zombie counts: its sockets are closed either way).
    [[nodiscard]] bool gone() const;
    /// WATCHDOG_USEC from its environment, when its service manager watches it: the new
    /// process must keep pinging once it is the main process.
    [[nodiscard]] std::string watchdog_usec() const;

  private:
    pid_t pid_;
};

struct handover_request {
    pid_t old_pid = 0;
    std::string binary;  ///< the new server's program: the one running `poki handover`
    std::vector<std::string> serve_arguments;  ///< after `serve`, e.g. {"--config", file}
    std::chrono::milliseconds timeout{50000};
    /// Where the new server's pid is written once it serves (nothing when empty).
    std::string pid_file;
};

/// Starts `binary serve ARGS --take-over PID` in a session of its own and waits. 0 when the
/// old process is gone (the new one serves); 1 when the new one exited first or did not get
/// there in time (it is stopped; the old one still serves). Progress goes to stderr. The new
/// server inherits stdout and stderr for its logs (under systemd, the journal), so a caller
/// learns its pid from `pid_file`, not by reading our output (which would never end).
int hand_over(const handover_request& request);

}  // namespace poki::ops
