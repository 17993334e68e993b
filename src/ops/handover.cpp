#include "poki/ops/handover.hpp"

#include <array>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>
#include <stdexcept>
#include <sys/wait.h>
#include <system_error>
#include <thread>
#include <unistd.h>

extern char** environ;  // NOLINT(readability-redundant-declaration): POSIX names it nowhere

namespace poki::ops {
namespace {

std::string proc_file(pid_t pid, const char* name) {
    std::ifstream in{"/proc/" + std::to_string(pid) + "/" + name, std::ios::binary};
    return {std::istreambuf_iterator<char>{in}, std::istreambuf_iterator<char>{}};
}

/// The one-letter state of /proc/PID/stat (after the command name, which may hold spaces),
/// or nothing when the process does not exist.
char process_state(pid_t pid) {
    const auto stat = proc_file(pid, "stat");
    const auto end_of_name = stat.rfind(')');
    if (end_of_name == std::string::npos || end_of_name + 2 >= stat.size()) {
        return '\0';
    }
    return stat[end_of_name + 2];
}

/// Our environment for the new server: WATCHDOG_PID names the old process and goes, so the
/// new one takes WATCHDOG_USEC (the old one's) as its own.
std::vector<std::string> environment_for_successor(const std::string& watchdog_usec) {
    std::vector<std::string> out;
    for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
        const std::string_view entry{*e};
        if (!entry.starts_with("WATCHDOG_PID=") && !entry.starts_with("WATCHDOG_USEC=")) {
            out.emplace_back(entry);
        }
    }
    if (!watchdog_usec.empty()) {
        out.push_back("WATCHDOG_USEC=" + watchdog_usec);
    }
    return out;
}

std::vector<char*> c_strings(std::vector<std::string>& strings) {
    std::vector<char*> out;
    out.reserve(strings.size() + 1);
    for (auto& s : strings) {
        out.push_back(s.data());
    }
    out.push_back(nullptr);
    return out;
}

struct successor {
    pid_t pid = 0;
    int ready_fd = -1;  ///< readable (one byte, or end of file) once it took over
};

successor spawn_successor(const handover_request& request, const predecessor& old) {
    std::array<int, 2> ready{-1, -1};
    if (::pipe2(ready.data(), O_CLOEXEC | O_NONBLOCK) != 0) {
        throw std::runtime_error{"handover: pipe: " +
                                 std::error_code{errno, std::generic_category()}.message()};
    }
    std::vector<std::string> argv{request.binary, "serve"};
    argv.insert(argv.end(), request.serve_arguments.begin(), request.serve_arguments.end());
    argv.insert(argv.end(),
                {"--take-over", std::to_string(old.pid()), "--ready-fd", std::to_string(ready[1])});
    auto env = environment_for_successor(old.watchdog_usec());
    auto argv_c = c_strings(argv);
    auto env_c = c_strings(env);
    const pid_t child = ::fork();
    if (child < 0) {
        throw std::runtime_error{"handover: fork: " +
                                 std::error_code{errno, std::generic_category()}.message()};
    }
    if (child == 0) {
        // A session of its own: it outlives this command and the terminal it was run from.
        ::setsid();
        ::fcntl(ready[1], F_SETFD, 0);
        ::fcntl(ready[1], F_SETFL, 0);
        ::execve(argv_c[0], argv_c.data(), env_c.data());
        std::cerr << "handover: cannot run " << argv_c[0] << ": "
                  << std::error_code{errno, std::generic_category()}.message() << "\n";
        ::_exit(127);
    }
    ::close(ready[1]);
    return {child, ready[0]};
}

/// Written whole or not at all: a reader never sees half a number.
void write_pid_file(const std::string& path, pid_t pid) {
    if (path.empty()) {
        return;
    }
    const auto partial = path + ".partial";
    {
        std::ofstream out{partial, std::ios::trunc};
        out << pid << "\n";
    }
    std::error_code ec;
    std::filesystem::rename(partial, path, ec);
    if (ec) {
        std::cerr << "handover: cannot write " << path << ": " << ec.message() << "\n";
    }
}

/// The new server wrote its byte: it serves, and the old one was asked to leave.
bool took_over(int ready_fd) {
    char byte = 0;
    return ::read(ready_fd, &byte, 1) == 1;
}

void stop_successor(pid_t child) {
    ::kill(child, SIGTERM);
    for (int i = 0; i < 100; ++i) {
        if (::waitpid(child, nullptr, WNOHANG) == child) {
            return;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds{100});
    }
    ::kill(child, SIGKILL);
    ::waitpid(child, nullptr, 0);
}

std::string describe_exit(int status) {
    if (WIFEXITED(status)) {
        return "exited with status " + std::to_string(WEXITSTATUS(status));
    }
    if (WIFSIGNALED(status)) {
        return "was killed by signal " + std::to_string(WTERMSIG(status));
    }
    return "stopped";
}

}  // namespace

predecessor::predecessor(pid_t pid) : pid_{pid} {
    const auto state = process_state(pid);
    if (pid <= 1 || state == '\0' || state == 'Z') {
        throw std::runtime_error{"no running process " + std::to_string(pid)};
    }
    auto name = proc_file(pid, "comm");
    while (!name.empty() && name.back() == '\n') {
        name.pop_back();
    }
    if (name != "poki") {
        throw std::runtime_error{"process " + std::to_string(pid) + " is '" + name +
                                 "', not a poki server"};
    }
}

void predecessor::ask_to_leave() const {
    if (::kill(pid_, SIGTERM) != 0 && errno != ESRCH) {
        throw std::runtime_error{"cannot signal process " + std::to_string(pid_) + ": " +
                                 std::error_code{errno, std::generic_category()}.message()};
    }
}

bool predecessor::gone() const {
    const auto state = process_state(pid_);
    return state == '\0' || state == 'Z' || state == 'X';
}

std::string predecessor::watchdog_usec() const {
    const auto environment = proc_file(pid_, "environ");
    std::istringstream entries{environment};
    for (std::string entry; std::getline(entries, entry, '\0');) {
        if (entry.starts_with("WATCHDOG_USEC=")) {
            return entry.substr(std::strlen("WATCHDOG_USEC="));
        }
    }
    return {};
}

int hand_over(const handover_request& request) {
    const predecessor old{request.old_pid};
    const auto next = spawn_successor(request, old);
    std::cerr << "handover: started pid " << next.pid << " to take over from pid " << old.pid()
              << "\n";
    const auto give_up_at = std::chrono::steady_clock::now() + request.timeout;
    bool serving = false;
    int result = 1;
    while (true) {
        int status = 0;
        if (::waitpid(next.pid, &status, WNOHANG) == next.pid) {
            std::cerr << "handover: the new server " << describe_exit(status)
                      << (serving ? ""
                                  : " before taking over; pid " + std::to_string(old.pid()) +
                                        " still serves")
                      << "\n";
            break;
        }
        if (!serving && took_over(next.ready_fd)) {
            serving = true;
            write_pid_file(request.pid_file, next.pid);
            std::cerr << "handover: pid " << next.pid << " serves; pid " << old.pid()
                      << " drains\n";
        }
        if (serving && old.gone()) {
            std::cerr << "handover: done; pid " << old.pid() << " is gone\n";
            result = 0;
            break;
        }
        if (std::chrono::steady_clock::now() > give_up_at) {
            if (serving) {
                // The new one serves and the old one gets nothing new: only its drain is slow.
                std::cerr << "handover: pid " << old.pid() << " is still draining after "
                          << request.timeout.count() << " ms; pid " << next.pid << " serves\n";
                result = 0;
            } else {
                std::cerr << "handover: pid " << next.pid << " was not ready within "
                          << request.timeout.count() << " ms; stopping it, pid " << old.pid()
                          << " still serves\n";
                stop_successor(next.pid);
            }
            break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds{50});
    }
    ::close(next.ready_fd);
    return result;
}

}  // namespace poki::ops
