// A blocking server-sent events client for tests: one connection, a parsed header, then
// events one at a time with a timeout.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace poki::test {

struct sse_message {
    std::string id;
    std::string type;
    std::string data;
};

class sse_client {
  public:
    /// Connects and sends GET `target`; reads the response header (throws if none comes).
    sse_client(std::uint16_t port, const std::string& target,
               const std::map<std::string, std::string>& headers = {},
               int receive_buffer_bytes = 0);
    ~sse_client();
    sse_client(const sse_client&) = delete;
    sse_client& operator=(const sse_client&) = delete;

    [[nodiscard]] int status() const { return status_; }
    [[nodiscard]] std::string header(const std::string& lower_name) const;
    /// The body when the status is not 200 (a problem document).
    [[nodiscard]] std::string error_body(std::chrono::milliseconds timeout);

    /// The next event; comments and retry lines are collected on the way. nullopt when
    /// the timeout passes or the server closes the stream.
    std::optional<sse_message> next(std::chrono::milliseconds timeout);
    /// Events until `type` arrives (returned last), or nullopt.
    std::optional<sse_message> next_of_type(const std::string& type,
                                            std::chrono::milliseconds timeout);

    [[nodiscard]] const std::vector<std::string>& comments() const { return comments_; }
    [[nodiscard]] std::optional<int> retry_ms() const { return retry_ms_; }
    /// True once the server closed the connection.
    [[nodiscard]] bool closed() const { return closed_; }
    /// Waits until the server closes the connection; false if it stays open past timeout.
    bool wait_closed(std::chrono::milliseconds timeout);

  private:
    bool fill(std::chrono::steady_clock::time_point deadline);

    std::string target_;
    int fd_ = -1;
    int status_ = 0;
    std::map<std::string, std::string> headers_;
    std::string buffer_;
    std::vector<std::string> comments_;
    std::optional<int> retry_ms_;
    bool closed_ = false;
};

}  // namespace poki::test
