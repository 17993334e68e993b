#include "support/ws_client.hpp"

#include <deque>
#include <stdexcept>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>

#include "support/api_contract.hpp"

namespace poki::test {

namespace beast = boost::beast;
namespace asio = boost::asio;
namespace websocket = beast::websocket;

struct ws_client::state {
    asio::io_context ioc;
    websocket::stream<beast::tcp_stream> ws{ioc};
    websocket::response_type handshake;
    int status = 0;
    beast::flat_buffer buffer;
    bool reading = false;
    bool closed = false;
    int close_code = 0;
    std::deque<std::string> arrived;

    void start_read() {
        if (reading || closed) {
            return;
        }
        reading = true;
        ws.async_read(buffer, [this](beast::error_code ec, std::size_t) {
            reading = false;
            if (ec) {
                closed = true;
                close_code = ws.reason().code == 0 ? 1006 : ws.reason().code;
                return;
            }
            arrived.push_back(beast::buffers_to_string(buffer.data()));
            buffer.consume(buffer.size());
        });
    }

    /// Runs the io_context until `done` or the deadline.
    template <class Done>
    void run_until(Done done, std::chrono::steady_clock::time_point deadline) {
        while (!done() && std::chrono::steady_clock::now() < deadline) {
            ioc.restart();
            ioc.run_one_until(deadline);
        }
    }
};

ws_client::ws_client(std::uint16_t port, const std::string& target,
                     const std::map<std::string, std::string>& headers, int receive_buffer_bytes)
    : state_{std::make_unique<state>()} {
    auto& s = *state_;
    auto& tcp = beast::get_lowest_layer(s.ws);
    tcp.socket().open(asio::ip::tcp::v4());
    if (receive_buffer_bytes > 0) {
        tcp.socket().set_option(asio::socket_base::receive_buffer_size{receive_buffer_bytes});
    }
    s.ws.set_option(websocket::stream_base::decorator([headers](websocket::request_type& req) {
        for (const auto& [name, value] : headers) {
            req.set(name, value);
        }
    }));
    // Asynchronous, like test_support's http_request: the expiry bounds only those steps, so
    // an upgrade nobody answers fails here instead of hanging the test.
    const auto host = "127.0.0.1:" + std::to_string(port);
    beast::error_code ec;
    bool done = false;
    tcp.expires_after(std::chrono::seconds{10});
    beast::error_code connect_ec;
    tcp.async_connect(
        {asio::ip::make_address("127.0.0.1"), port}, [&](beast::error_code connected) {
            if (connected) {
                connect_ec = connected;
                done = true;
                return;
            }
            s.ws.async_handshake(s.handshake, host, target, [&](beast::error_code shook) {
                ec = shook;
                done = true;
            });
        });
    s.run_until([&] { return done; }, std::chrono::steady_clock::now() + std::chrono::seconds{15});
    tcp.expires_never();
    if (!done) {
        throw std::runtime_error{"no answer to the websocket upgrade of " + target};
    }
    if (connect_ec) {
        throw beast::system_error{connect_ec, "connecting for the websocket upgrade of " + target};
    }
    s.status = static_cast<int>(s.handshake.result_int());
    if (ec && s.status == 101) {
        throw std::runtime_error{"websocket handshake failed: " + ec.message()};
    }
    if (ec) {
        s.closed = true;
    }
    // The upgrade is an answer like any other: 101, or a documented refusal.
    http_reply answer;
    answer.status = s.status;
    answer.body = s.handshake.body();
    answer.headers["content-type"] = std::string{s.handshake[beast::http::field::content_type]};
    check_answer("GET", target, answer);
}

ws_client::~ws_client() = default;

int ws_client::status() const {
    return state_->status;
}
const std::string& ws_client::refusal_body() const {
    return state_->handshake.body();
}
std::string ws_client::header(const std::string& name) const {
    const auto value = state_->handshake[name];
    return {value.data(), value.size()};
}

void ws_client::send_text(const std::string& text) {
    auto& s = *state_;
    s.ws.text(true);
    bool done = false;
    s.ws.async_write(asio::buffer(text), [&done](beast::error_code, std::size_t) { done = true; });
    s.run_until([&] { return done; }, std::chrono::steady_clock::now() + std::chrono::seconds{5});
}

void ws_client::send_binary(const std::string& bytes) {
    auto& s = *state_;
    s.ws.binary(true);
    bool done = false;
    s.ws.async_write(asio::buffer(bytes), [&done](beast::error_code, std::size_t) { done = true; });
    s.run_until([&] { return done; }, std::chrono::steady_clock::now() + std::chrono::seconds{5});
    s.ws.text(true);
}

std::optional<nlohmann::json> ws_client::next(std::chrono::milliseconds timeout) {
    auto& s = *state_;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    s.start_read();
    s.run_until([&] { return !s.arrived.empty() || s.closed; }, deadline);
    if (s.arrived.empty()) {
        return std::nullopt;
    }
    auto text = std::move(s.arrived.front());
    s.arrived.pop_front();
    auto message = nlohmann::json::parse(text);
    check_socket_message(message);
    return message;
}

std::optional<nlohmann::json> ws_client::next_of_type(const std::string& type,
                                                      std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        auto message = next(left);
        if (!message) {
            return std::nullopt;
        }
        if ((*message)["type"] == type) {
            return message;
        }
    }
    return std::nullopt;
}

bool ws_client::wait_closed(std::chrono::milliseconds timeout) {
    auto& s = *state_;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!s.closed && std::chrono::steady_clock::now() < deadline) {
        s.arrived.clear();
        s.start_read();
        s.run_until([&] { return s.closed || !s.arrived.empty(); }, deadline);
    }
    return s.closed;
}

bool ws_client::closed() const {
    return state_->closed;
}
int ws_client::close_code() const {
    return state_->close_code;
}

void ws_client::close() {
    auto& s = *state_;
    if (s.closed) {
        return;
    }
    bool done = false;
    s.ws.async_close(websocket::close_code::normal, [&done](beast::error_code) { done = true; });
    s.start_read();
    s.run_until([&] { return done; }, std::chrono::steady_clock::now() + std::chrono::seconds{5});
    s.closed = true;
}

}  // namespace poki::test
