// A session's connection after a WebSocket upgrade: Beast's websocket stream over the
// session's own stream, one writer coroutine draining a bounded queue, and Beast's idle pings.
// Private to the http module; session.cpp instantiates it for plain and TLS streams.
#pragma once

#include <chrono>
#include <deque>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include "poki/core/config.hpp"
#include "poki/http/types.hpp"
#include "poki/http/websocket.hpp"

#include "io_deadline.hpp"

namespace poki::http {

template <class Stream>
class websocket_link final : public websocket_channel {
  public:
    websocket_link(Stream& next, const websocket_config& cfg, milliseconds write_timeout,
                   io_deadline& deadline)
        : ws_{next}
        , config_{cfg}
        , write_timeout_{write_timeout}
        , deadline_{deadline}
        , wake_{next.get_executor()}
        , writer_done_{next.get_executor()} {
        namespace websocket = beast::websocket;
        // Beast pings after one quiet interval and closes after another.
        ws_.set_option(websocket::stream_base::timeout{
            std::chrono::seconds{10}, std::chrono::seconds{cfg.ping_interval_s}, true});
        ws_.read_message_max(cfg.max_message_bytes);
        ws_.auto_fragment(false);
    }

    /// Answers the upgrade with the dispatcher's headers added; false when the handshake failed
    /// (Beast answered the client itself).
    awaitable<bool> accept(const request& req, const response& decorations) {
        namespace websocket = beast::websocket;
        ws_.set_option(
            websocket::stream_base::decorator([&decorations](websocket::response_type& res) {
                for (const auto& header : decorations) {
                    if (header.name() != field::connection && header.name() != field::upgrade &&
                        header.name() != field::content_length) {
                        res.set(header.name_string(), header.value());
                    }
                }
            }));
        deadline_.arm(std::chrono::seconds{10});
        auto [ec] = co_await ws_.async_accept(req, net::as_tuple(net::use_awaitable));
        deadline_.disarm();
        // The decorator refers to `decorations`, which the caller may now drop.
        ws_.set_option(websocket::stream_base::decorator([](websocket::response_type&) {}));
        co_return !ec;
    }

    /// Runs `body` (which the caller keeps alive) with the writer beside it; returns once
    /// both are done.
    awaitable<void> serve(websocket_function& body) {
        writer_running_ = true;
        net::co_spawn(ws_.get_executor(), write_loop(), [this](const std::exception_ptr&) {
            writer_running_ = false;
            writer_done_.cancel();
        });
        co_await body(*this);
        close(close_code::normal, "");
        if (writer_running_) {
            writer_done_.expires_at(std::chrono::steady_clock::time_point::max());
            co_await writer_done_.async_wait(net::as_tuple(net::use_awaitable));
        }
    }

    /// The server is shutting down.
    void stop() { close(close_code::going_away, "The server is restarting."); }

    // websocket_channel
    net::any_io_executor executor() override { return ws_.get_executor(); }

    awaitable<std::optional<std::string>> read() override {
        if (finished_) {
            co_return std::nullopt;
        }
        buffer_.clear();
        auto [ec, n] = co_await ws_.async_read(buffer_, net::as_tuple(net::use_awaitable));
        if (ec) {
            // Closed by the peer, too big (Beast has sent 1009), missing pongs, or cut off.
            finished_ = true;
            wake_.cancel();
            co_return std::nullopt;
        }
        if (!ws_.got_text()) {
            close(close_code::unsupported_data, "Send JSON text messages.");
            co_return std::nullopt;
        }
        std::string text{static_cast<const char*>(buffer_.data().data()), buffer_.size()};
        if (buffer_.capacity() > 4096) {
            buffer_ = beast::flat_buffer{};  // an idle connection holds as little as it can
        }
        co_return text;
    }

    bool send(std::shared_ptr<const std::string> text) override {
        if (closing_ || finished_) {
            return false;
        }
        if (queued_bytes_ + text->size() > config_.max_queued_bytes) {
            // The client stopped reading: cut it off, it reconnects and gets a fresh hello.
            cut_off_ = true;
            abort();
            return false;
        }
        queued_bytes_ += text->size();
        queue_.push_back(std::move(text));
        wake_.cancel();
        return true;
    }

    void close(close_code code, std::string_view reason) override {
        if (closing_ || finished_) {
            return;
        }
        closing_ = true;
        close_reason_.code = static_cast<std::uint16_t>(code);
        // A close frame holds 123 bytes of reason.
        close_reason_.reason = std::string{reason.substr(0, 120)};
        wake_.cancel();
    }

    [[nodiscard]] bool cut_off() const noexcept { return cut_off_; }

  private:
    void abort() {
        finished_ = true;
        boost::system::error_code ignored;
        beast::get_lowest_layer(ws_).socket().close(ignored);
        wake_.cancel();
    }

    awaitable<void> write_loop() {
        constexpr auto use_tuple = net::as_tuple(net::use_awaitable);
        while (!finished_) {
            if (!queue_.empty()) {
                const auto text = std::move(queue_.front());
                queue_.pop_front();
                queued_bytes_ -= text->size();
                ws_.text(true);
                deadline_.arm(write_timeout_);
                auto [ec, n] = co_await ws_.async_write(net::buffer(*text), use_tuple);
                deadline_.disarm();
                if (ec) {
                    finished_ = true;
                }
                continue;
            }
            if (closing_) {
                deadline_.arm(write_timeout_);
                co_await ws_.async_close(close_reason_, use_tuple);
                deadline_.disarm();
                finished_ = true;
                break;
            }
            wake_.expires_at(std::chrono::steady_clock::time_point::max());
            co_await wake_.async_wait(use_tuple);
        }
        queue_.clear();
        queued_bytes_ = 0;
    }

    beast::websocket::stream<Stream&> ws_;
    const websocket_config& config_;
    milliseconds write_timeout_;
    io_deadline& deadline_;
    beast::flat_buffer buffer_;
    std::deque<std::shared_ptr<const std::string>> queue_;
    std::size_t queued_bytes_ = 0;
    net::steady_timer wake_;         // the writer waits on it for something to do
    net::steady_timer writer_done_;  // serve() waits on it for the writer to end
    beast::websocket::close_reason close_reason_;
    bool writer_running_ = false;
    bool closing_ = false;   // close() was called: a close frame goes after the queue
    bool finished_ = false;  // no more I/O: closed, failed or cut off
    bool cut_off_ = false;
};

}  // namespace poki::http
