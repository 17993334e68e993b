#include "support/sse_client.hpp"

#include <algorithm>
#include <arpa/inet.h>
#include <array>
#include <cctype>
#include <netinet/in.h>
#include <poll.h>
#include <stdexcept>
#include <sys/socket.h>
#include <unistd.h>

#include "support/api_contract.hpp"

namespace poki::test {
namespace {

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

}  // namespace

sse_client::sse_client(std::uint16_t port, const std::string& target,
                       const std::map<std::string, std::string>& headers, int receive_buffer_bytes)
    : target_{target} {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd_ < 0) {
        throw std::runtime_error{"socket failed"};
    }
    if (receive_buffer_bytes > 0) {
        ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &receive_buffer_bytes,
                     sizeof receive_buffer_bytes);
    }
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    // NOLINTNEXTLINE(cppcoreguidelines-pro-type-reinterpret-cast): the BSD socket API
    if (::connect(fd_, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
        ::close(fd_);
        throw std::runtime_error{"connect failed"};
    }
    std::string request =
        "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n";
    for (const auto& [name, value] : headers) {
        request.append(name).append(": ").append(value).append("\r\n");
    }
    request += "\r\n";
    std::size_t sent = 0;
    while (sent < request.size()) {
        const auto n = ::send(fd_, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
        if (n <= 0) {
            throw std::runtime_error{"send failed"};
        }
        sent += static_cast<std::size_t>(n);
    }
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds{10};
    std::size_t end = 0;
    while ((end = buffer_.find("\r\n\r\n")) == std::string::npos) {
        if (!fill(deadline)) {
            throw std::runtime_error{"no response header"};
        }
    }
    const std::string head = buffer_.substr(0, end);
    buffer_.erase(0, end + 4);
    status_ = std::stoi(head.substr(9, 3));
    std::size_t pos = head.find("\r\n");
    while (pos != std::string::npos) {
        const auto next = head.find("\r\n", pos + 2);
        const auto line = head.substr(pos + 2, next == std::string::npos ? next : next - pos - 2);
        if (const auto colon = line.find(':'); colon != std::string::npos) {
            auto value = line.substr(colon + 1);
            value.erase(0, value.find_first_not_of(' '));
            headers_[lower(line.substr(0, colon))] = value;
        }
        pos = next;
    }
}

sse_client::~sse_client() {
    if (fd_ >= 0) {
        ::close(fd_);
    }
}

std::string sse_client::header(const std::string& lower_name) const {
    const auto found = headers_.find(lower_name);
    return found == headers_.end() ? std::string{} : found->second;
}

std::string sse_client::error_body(std::chrono::milliseconds timeout) {
    const auto length = static_cast<std::size_t>(std::stoul(header("content-length")));
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (buffer_.size() < length && fill(deadline)) {
    }
    return buffer_.substr(0, length);
}

bool sse_client::fill(std::chrono::steady_clock::time_point deadline) {
    if (closed_) {
        return false;
    }
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
        return false;
    }
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) {
        return false;
    }
    std::array<char, 16384> chunk{};
    const auto n = ::recv(fd_, chunk.data(), chunk.size(), 0);
    if (n <= 0) {
        closed_ = true;
        return false;
    }
    buffer_.append(chunk.data(), static_cast<std::size_t>(n));
    return true;
}

std::optional<sse_message> sse_client::next(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (true) {
        const auto end = buffer_.find("\n\n");
        if (end == std::string::npos) {
            if (!fill(deadline)) {
                return std::nullopt;
            }
            continue;
        }
        const std::string block = buffer_.substr(0, end + 1);
        buffer_.erase(0, end + 2);
        sse_message m;
        bool has_event = false;
        std::size_t pos = 0;
        while (pos < block.size()) {
            const auto nl = block.find('\n', pos);
            const auto line = block.substr(pos, nl - pos);
            pos = nl + 1;
            if (line.starts_with(":")) {
                comments_.push_back(line.size() > 2 ? line.substr(2) : std::string{});
            } else if (line.starts_with("retry: ")) {
                retry_ms_ = std::stoi(line.substr(7));
            } else if (line.starts_with("id: ")) {
                m.id = line.substr(4);
                has_event = true;
            } else if (line.starts_with("event: ")) {
                m.type = line.substr(7);
                has_event = true;
            } else if (line.starts_with("data: ")) {
                m.data += line.substr(6);
                has_event = true;
            }
        }
        if (has_event) {
            if (!m.type.empty()) {
                check_stream_event(target_, m.type, m.data);
            }
            return m;
        }
    }
}

std::optional<sse_message> sse_client::next_of_type(const std::string& type,
                                                    std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (true) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) {
            return std::nullopt;
        }
        auto m = next(left);
        if (!m || m->type == type) {
            return m;
        }
    }
}

bool sse_client::wait_closed(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!closed_) {
        if (!fill(deadline) && !closed_) {
            return false;
        }
    }
    return true;
}

}  // namespace poki::test
