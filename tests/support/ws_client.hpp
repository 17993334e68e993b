// A WebSocket client for tests: Beast over loopback, each call bounded by a timeout. A read
// that times out stays pending, so no message is lost between calls.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace poki::test {

class ws_client {
  public:
    /// Connects and sends the upgrade for `target`. A refused upgrade is not an exception:
    /// status() and refusal_body() tell what the server answered.
    ws_client(std::uint16_t port, const std::string& target,
              const std::map<std::string, std::string>& headers = {}, int receive_buffer_bytes = 0);
    ~ws_client();
    ws_client(const ws_client&) = delete;
    ws_client& operator=(const ws_client&) = delete;

    /// 101 once connected; else the HTTP status of the refusal.
    [[nodiscard]] int status() const;
    [[nodiscard]] const std::string& refusal_body() const;
    [[nodiscard]] std::string header(const std::string& name) const;

    void send_text(const std::string& text);
    void send(const nlohmann::json& message) { send_text(message.dump()); }
    void send_binary(const std::string& bytes);

    /// The next text message, parsed; nullopt on timeout or once the connection closed.
    std::optional<nlohmann::json> next(std::chrono::milliseconds timeout);
    /// Messages until one of `type` (returned), or nullopt.
    std::optional<nlohmann::json> next_of_type(const std::string& type,
                                               std::chrono::milliseconds timeout);

    /// Waits until the server closes the connection; false if it stays open past timeout.
    bool wait_closed(std::chrono::milliseconds timeout);
    [[nodiscard]] bool closed() const;
    /// The code of the server's close frame; 1006 when the connection dropped without one.
    [[nodiscard]] int close_code() const;

    /// Closes with 1000 and waits for the server's answer (bounded).
    void close();

  private:
    struct state;
    std::unique_ptr<state> state_;
};

}  // namespace poki::test
