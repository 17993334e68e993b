#include "poki/ops/service_notifier.hpp"

#include <algorithm>
#include <charconv>
#include <cstddef>
#include <cstring>
#include <sys/socket.h>
#include <sys/un.h>
#include <system_error>
#include <unistd.h>

#include "poki/core/log.hpp"

namespace poki::ops {
namespace {

std::string_view value_of(const environment& env, std::string_view name) {
    const auto it = env.find(name);
    return it == env.end() ? std::string_view{} : std::string_view{it->second};
}

std::optional<long long> number_of(std::string_view text) {
    long long value = 0;
    const auto* end = text.data() + text.size();
    const auto [ptr, ec] = std::from_chars(text.data(), end, value);
    if (ec != std::errc{} || ptr != end || text.empty()) {
        return std::nullopt;
    }
    return value;
}

/// The manager's address as sockaddr_un bytes, or empty when `name` cannot be one.
std::string unix_address(std::string_view name) {
    sockaddr_un address{};
    if (name.empty() || name.size() >= sizeof(address.sun_path) ||
        (name.front() != '/' && name.front() != '@')) {
        return {};
    }
    address.sun_family = AF_UNIX;
    std::memcpy(static_cast<char*>(address.sun_path), name.data(), name.size());
    if (name.front() == '@') {
        address.sun_path[0] = '\0';  // the abstract namespace: no trailing NUL either
    }
    // A path's terminating NUL counts; an abstract name is exactly its bytes.
    const std::size_t terminator = name.front() == '/' ? 1 : 0;
    const auto length = offsetof(sockaddr_un, sun_path) + name.size() + terminator;
    std::string bytes(length, '\0');
    std::memcpy(bytes.data(), &address, length);
    return bytes;
}

}  // namespace

service_notifier::service_notifier(const environment& env) {
    const auto socket_name = value_of(env, "NOTIFY_SOCKET");
    if (socket_name.empty()) {
        return;
    }
    address_ = unix_address(socket_name);
    if (address_.empty()) {
        log::warn("NOTIFY_SOCKET is not a socket path; not notifying the service manager");
        return;
    }
    socket_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (socket_ < 0) {
        log::warn("cannot open a socket to notify the service manager",
                  {{"error", std::error_code{errno, std::generic_category()}.message()}});
        return;
    }
    // The watchdog is ours unless the manager named another process.
    const auto pid = number_of(value_of(env, "WATCHDOG_PID"));
    const auto usec = number_of(value_of(env, "WATCHDOG_USEC"));
    if (usec && *usec > 0 && (!pid || *pid == ::getpid())) {
        watchdog_interval_ = std::chrono::milliseconds{std::max(1LL, *usec / 2000)};
    }
}

service_notifier::~service_notifier() {
    if (socket_ >= 0) {
        ::close(socket_);
    }
}

void service_notifier::ready() {
    send("READY=1\nSTATUS=serving\nMAINPID=" + std::to_string(::getpid()));
}

void service_notifier::stopping() {
    send("STOPPING=1\nSTATUS=draining");
}

void service_notifier::watchdog() {
    send("WATCHDOG=1");
}

void service_notifier::status(std::string_view text) {
    send("STATUS=" + std::string{text});
}

void service_notifier::send(std::string_view message) {
    if (socket_ < 0) {
        return;
    }
    const auto sent =
        ::sendto(socket_, message.data(), message.size(), MSG_DONTWAIT | MSG_NOSIGNAL,
                 // NOLINTNEXTLINE(cppcoreguidelines-pro-type-reinterpret-cast): the sockets API
                 reinterpret_cast<const sockaddr*>(address_.data()),
                 static_cast<socklen_t>(address_.size()));
    if (sent < 0 && !warned_.exchange(true)) {
        log::warn("service manager notification not sent",
                  {{"error", std::error_code{errno, std::generic_category()}.message()}});
    }
}

}  // namespace poki::ops
