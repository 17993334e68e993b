#include "support/loopback_server.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace poki::test {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;

std::string lower(std::string s) {
    for (auto& c : s) {
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return s;
}

}  // namespace

loopback_server::loopback_server(answer_function answer) : answer_{std::move(answer)} {
    net::ip::tcp::acceptor acceptor{ioc_, {net::ip::make_address("127.0.0.1"), 0}};
    port_ = acceptor.local_endpoint().port();
    net::co_spawn(ioc_, accept_loop(std::move(acceptor)), net::detached);
    thread_ = std::thread{[this] { ioc_.run(); }};
}

loopback_server::~loopback_server() {
    ioc_.stop();
    if (thread_.joinable()) {
        thread_.join();
    }
}

net::awaitable<void> loopback_server::accept_loop(net::ip::tcp::acceptor acceptor) {
    while (true) {
        auto socket = co_await acceptor.async_accept(net::use_awaitable);
        net::co_spawn(ioc_, handle(std::move(socket)), net::detached);
    }
}

net::awaitable<void> loopback_server::handle(net::ip::tcp::socket socket) {
    beast::flat_buffer buffer;
    bhttp::request<bhttp::string_body> req;
    co_await bhttp::async_read(socket, buffer, req, net::use_awaitable);
    recorded_request rec{
        std::string{req.target()}, {}, req.body(), std::chrono::steady_clock::now()};
    for (const auto& f : req) {
        rec.headers[lower(std::string{f.name_string()})] = std::string{f.value()};
    }
    co_await answer_(socket, std::move(rec));
    boost::system::error_code ignored;
    socket.shutdown(net::ip::tcp::socket::shutdown_both, ignored);
}

}  // namespace poki::test
