// The machine's ceiling for bench/run: the least a Beast server can do per request
// (coroutine per connection, keep-alive, a fixed 200 answer), with the same thread count.
// GET /sse is the least an event stream can be: a header, then a comment every 15 s; GET /ws
// the least a WebSocket can be: Beast's stream echoing what it reads.
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;

namespace {

constexpr auto use_tuple = net::as_tuple(net::use_awaitable);

net::awaitable<void> stream_events(beast::tcp_stream& stream) {
    http::response<http::empty_body> res{http::status::ok, 11};
    res.set(http::field::content_type, "text/event-stream");
    res.keep_alive(false);
    auto [ec, n] = co_await http::async_write(stream, res, use_tuple);
    net::steady_timer heartbeat{stream.get_executor()};
    while (!ec) {
        heartbeat.expires_after(std::chrono::seconds{15});
        co_await heartbeat.async_wait(use_tuple);
        std::tie(ec, n) = co_await net::async_write(stream, net::buffer(": hb\n\n", 6), use_tuple);
    }
}

net::awaitable<void> echo_socket(beast::tcp_stream stream, http::request<http::string_body> req) {
    websocket::stream<beast::tcp_stream> ws{std::move(stream)};
    auto [ec] = co_await ws.async_accept(req, use_tuple);
    beast::flat_buffer buffer;
    while (!ec) {
        std::size_t n = 0;
        std::tie(ec, n) = co_await ws.async_read(buffer, use_tuple);
        if (!ec) {
            ws.text(ws.got_text());
            std::tie(ec, n) = co_await ws.async_write(buffer.data(), use_tuple);
            buffer.consume(buffer.size());
        }
    }
}

net::awaitable<void> serve(beast::tcp_stream stream) {
    beast::flat_buffer buffer;
    while (true) {
        http::request<http::string_body> req;
        auto [read_ec, read_n] = co_await http::async_read(stream, buffer, req, use_tuple);
        if (read_ec) {
            break;
        }
        if (req.target() == "/sse") {
            co_await stream_events(stream);
            break;
        }
        if (req.target() == "/ws" && websocket::is_upgrade(req)) {
            co_await echo_socket(std::move(stream), std::move(req));
            co_return;
        }
        http::response<http::string_body> res{http::status::ok, req.version()};
        res.set(http::field::content_type, "application/json");
        res.body() = R"({"status":"ok"})";
        res.keep_alive(req.keep_alive());
        res.prepare_payload();
        auto [write_ec, write_n] = co_await http::async_write(stream, res, use_tuple);
        if (write_ec || !res.keep_alive()) {
            break;
        }
    }
    beast::error_code ignored;
    stream.socket().shutdown(net::ip::tcp::socket::shutdown_send, ignored);
}

net::awaitable<void> listen(net::io_context& ioc, net::ip::tcp::acceptor& acceptor) {
    while (true) {
        auto [ec, socket] = co_await acceptor.async_accept(net::make_strand(ioc), use_tuple);
        if (ec) {
            break;
        }
        socket.set_option(net::ip::tcp::no_delay{true}, ec);
        // Taken first: the argument that moves the socket may be evaluated before it.
        const auto executor = socket.get_executor();
        net::co_spawn(executor, serve(beast::tcp_stream{std::move(socket)}), net::detached);
    }
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 3) {
        std::cerr << "usage: hello_server PORT THREADS\n";
        return 2;
    }
    const auto port = static_cast<unsigned short>(std::stoi(argv[1]));
    const int threads = std::stoi(argv[2]);
    net::io_context ioc{threads};
    net::ip::tcp::acceptor acceptor{ioc, {net::ip::make_address("127.0.0.1"), port}};
    net::co_spawn(ioc, listen(ioc, acceptor), net::detached);
    net::signal_set signals{ioc, SIGINT, SIGTERM};
    signals.async_wait([&](auto, auto) { ioc.stop(); });
    std::vector<std::jthread> workers;
    for (int i = 1; i < threads; ++i) {
        workers.emplace_back([&] { ioc.run(); });
    }
    ioc.run();
    return 0;
}
