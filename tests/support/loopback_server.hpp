// What the tests' stand-ins for outside services (FCM, a model API) share: an HTTP server on
// 127.0.0.1 and a free port, on a thread of its own, that reads each request (one per
// connection), records it, and hands it with the socket to the stand-in's answer.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <thread>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

namespace poki::test {

struct recorded_request {
    std::string target;
    std::map<std::string, std::string> headers;  ///< lower-case names
    std::string body;
    std::chrono::steady_clock::time_point at;
};

class loopback_server {
  public:
    /// Writes the answer; the connection is closed after it returns.
    using answer_function = std::function<boost::asio::awaitable<void>(
        boost::asio::ip::tcp::socket& socket, recorded_request request)>;

    explicit loopback_server(answer_function answer);
    ~loopback_server();  ///< stops the thread first: no answer runs after
    loopback_server(const loopback_server&) = delete;
    loopback_server& operator=(const loopback_server&) = delete;

    [[nodiscard]] std::uint16_t port() const noexcept { return port_; }

  private:
    boost::asio::awaitable<void> accept_loop(boost::asio::ip::tcp::acceptor acceptor);
    boost::asio::awaitable<void> handle(boost::asio::ip::tcp::socket socket);

    answer_function answer_;
    boost::asio::io_context ioc_;
    std::uint16_t port_ = 0;
    std::thread thread_;
};

}  // namespace poki::test
