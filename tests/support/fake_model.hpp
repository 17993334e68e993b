// A stand-in for an OpenAI-compatible chat-completions API on loopback
// (POST /v1/chat/completions), whole or streamed as the request asks. Records every
// request; replies come from a script, then the default reply.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <nlohmann/json.hpp>

#include "support/loopback_server.hpp"

namespace poki::test {

/// Six valid ideas titled "아이디어 1" … "아이디어 6".
[[nodiscard]] std::string six_ideas();

struct model_reply {
    int status = 200;
    std::string content = six_ideas();       ///< the assistant's text
    std::chrono::milliseconds delay{0};      ///< before the response's header
    std::chrono::milliseconds piece_gap{0};  ///< streamed: between chunks
    std::size_t pieces = 6;                  ///< streamed: the content in this many chunks
    bool finish = true;                      ///< streamed: end with data: [DONE]
    std::int64_t tokens = 321;
};

class fake_model {
  public:
    fake_model();
    ~fake_model();
    fake_model(const fake_model&) = delete;
    fake_model& operator=(const fake_model&) = delete;

    [[nodiscard]] std::uint16_t port() const noexcept { return server_.port(); }
    [[nodiscard]] std::string base_url() const;  ///< "http://127.0.0.1:<port>/v1"

    void set_default(model_reply reply);
    void script(std::vector<model_reply> replies);

    [[nodiscard]] std::vector<recorded_request> requests() const;
    [[nodiscard]] std::size_t calls() const;

    /// `{"ideas": [...]}` with `count` distinct ideas whose titles start with `prefix`.
    [[nodiscard]] static std::string ideas_content(int count, const std::string& prefix);

  private:
    boost::asio::awaitable<void> answer(boost::asio::ip::tcp::socket& socket, recorded_request rec);
    model_reply next_reply(recorded_request rec);

    mutable std::mutex mutex_;
    std::vector<recorded_request> requests_;
    std::deque<model_reply> script_;
    model_reply default_;
    loopback_server server_;  // last: stopped before the rest goes
};

/// The ideas config that points the server at `model` (merge into server_options::extra).
[[nodiscard]] nlohmann::json model_config(
    const fake_model& model, const nlohmann::json& overrides = nlohmann::json::object());

}  // namespace poki::test
