#include "poki/http/session.hpp"

#include <array>
#include <atomic>
#include <limits>
#include <optional>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/ssl.hpp>

#include "poki/core/log.hpp"
#include "poki/core/problem.hpp"

#include "io_deadline.hpp"
#include "websocket_link.hpp"

namespace poki::http {
namespace {

constexpr auto use_tuple = net::as_tuple(net::use_awaitable);
/// How long a connection accepted just before a drain has to send its first request.
constexpr std::chrono::milliseconds first_request_grace{1000};

template <class Stream>
constexpr bool is_tls = !std::is_same_v<Stream, beast::tcp_stream>;

/// The answer owed for a read that failed, if any: a client that sent something we refuse
/// deserves to know why; one that went away or timed out gets nothing.
std::optional<error> refusal_for(const boost::system::error_code& ec) {
    namespace he = beast::http;
    if (ec == he::error::body_limit) {
        return error{errc::payload_too_large,
                     "The request body is larger than this server accepts."};
    }
    if (ec == he::error::header_limit) {
        return error{errc::header_too_large, "The request header is too large."};
    }
    if (ec.category() == he::make_error_code(he::error::bad_target).category() &&
        ec != he::error::end_of_stream && ec != he::error::partial_message) {
        return error{errc::bad_request, "The request is not valid HTTP/1.1."};
    }
    return std::nullopt;
}

/// Feeds the buffered bytes to the parser. need_more is not an error: the caller reads on.
/// Beast applies its header limit to each call, and a call consumes whole fields, so a header
/// of many small fields would pass it: the header's bytes are counted here, across calls
/// (the parser stops at the end of the header while `eager` is off, so the count is exact).
boost::system::error_code parse_buffered(
    beast::http::request_parser<beast::http::string_body>& parser, beast::flat_buffer& buffer,
    std::size_t& header_bytes, std::size_t max_header_bytes) {
    boost::system::error_code ec;
    while (!parser.is_done() && buffer.size() > 0) {
        const bool in_header = !parser.is_header_done();
        parser.eager(!in_header);
        const auto used = parser.put(buffer.data(), ec);
        buffer.consume(used);
        if (in_header) {
            header_bytes += used;
            if (header_bytes > max_header_bytes) {
                return beast::http::error::header_limit;
            }
        }
        if (ec == beast::http::error::need_more) {
            return {};
        }
        if (ec || used == 0) {
            return ec;
        }
    }
    return ec;
}

std::string remote_of(const net::ip::tcp::socket& socket) {
    boost::system::error_code ec;
    const auto ep = socket.remote_endpoint(ec);
    return ec ? std::string{} : ep.address().to_string();
}

template <class Stream>
class session final : public tracked_connection,
                      public stream_channel,
                      public std::enable_shared_from_this<session<Stream>> {
  public:
    template <class... StreamArgs>
    session(session_environment& env, std::string remote, StreamArgs&&... args)
        : env_{env}, stream_{std::forward<StreamArgs>(args)...}, remote_{std::move(remote)} {}

    ~session() override { env_.metrics.connection_closed(); }
    session(const session&) = delete;
    session& operator=(const session&) = delete;

    void start() {
        env_.metrics.connection_opened();
        registration_ = env_.registry.add(this->weak_from_this());
        net::co_spawn(stream_.get_executor(), run(this->shared_from_this()),
                      [](const std::exception_ptr& e) {
                          if (e) {
                              try {
                                  std::rethrow_exception(e);
                              } catch (const std::exception& ex) {
                                  log::error("session failed", {{"exception", ex.what()}});
                              }
                          }
                      });
    }

    [[nodiscard]] bool overdue(std::chrono::steady_clock::time_point now) const noexcept override {
        return deadline_.passed(now);
    }

    void stop(bool immediately) override {
        net::post(stream_.get_executor(), [self = this->shared_from_this(), immediately] {
            self->draining_ = true;
            self->stop_stream();
            // A connection that has not sent its first request yet may be sending it now
            // (it was accepted a moment before the drain): it gets that request answered,
            // with a short deadline for it to arrive.
            if (self->idle_ && !self->served_ && !immediately) {
                self->arm(first_request_grace);
                return;
            }
            if (self->idle_ || immediately) {
                beast::get_lowest_layer(self->stream_).cancel();
                if (immediately) {
                    boost::system::error_code ignored;
                    beast::get_lowest_layer(self->stream_).socket().close(ignored);
                }
            }
        });
    }

    // stream_channel: used by a stream function, on the strand.
    net::any_io_executor executor() override { return stream_.get_executor(); }

    awaitable<bool> write(std::span<const net::const_buffer> buffers) override {
        arm(env_.limits.write_timeout);
        auto [ec, n] = co_await net::async_write(stream_, buffers, use_tuple);
        disarm();
        co_return !ec;
    }

    void on_stop(unique_function<void()> fn) override {
        stop_handler_ = std::move(fn);
        if (stop_requested_) {
            stop_stream();
        }
    }

    void abort() override {
        boost::system::error_code ignored;
        lowest().socket().close(ignored);
    }

  private:
    auto& lowest() { return beast::get_lowest_layer(stream_); }

    void stop_stream() {
        stop_requested_ = true;
        if (auto fn = std::move(stop_handler_)) {
            fn();
        }
    }

    /// Hands the connection to a stream function. An event-stream client sends nothing more,
    /// so a read that completes means it closed the connection (or misbehaves): either way
    /// the stream ends.
    awaitable<void> serve_stream(stream_function body) {
        disarm();
        lowest().socket().async_read_some(
            net::buffer(probe_),
            [self = this->shared_from_this()](const boost::system::error_code& /*ec*/,
                                              std::size_t /*n*/) { self->stop_stream(); });
        if (draining_ || env_.registry.draining()) {
            stop_requested_ = true;
        }
        co_await body(*this);
        stop_handler_ = {};
    }

    /// The next I/O must finish within `timeout`; the server's sweep closes us otherwise.
    void arm(std::chrono::milliseconds timeout) noexcept { deadline_.arm(timeout); }
    void disarm() noexcept { deadline_.disarm(); }

    /// Hands the connection to a websocket function after Beast's handshake, which carries
    /// the dispatcher's headers (request id …). Shutdown closes it with 1001.
    awaitable<void> serve_websocket(const request& req, const response& decorations,
                                    websocket_function& body) {
        websocket_link<Stream> link{stream_, env_.websocket, env_.limits.write_timeout, deadline_};
        if (!co_await link.accept(req, decorations)) {
            co_return;
        }
        stop_handler_ = [&link] { link.stop(); };
        if (draining_ || env_.registry.draining()) {
            stop_requested_ = true;
            link.stop();
        }
        co_await link.serve(body);
        stop_handler_ = {};
    }

    awaitable<void> run(std::shared_ptr<session> /*keep_alive*/) {
        if constexpr (is_tls<Stream>) {
            arm(env_.limits.header_timeout);
            auto [ec] = co_await stream_.async_handshake(net::ssl::stream_base::server, use_tuple);
            if (ec) {
                co_return;
            }
        }
        beast::flat_buffer buffer;
        const auto& limits = env_.limits;
        while (true) {
            if (buffer.size() == 0) {
                idle_ = true;
                if (draining_ && served_) {
                    break;
                }
                arm(draining_ ? first_request_grace : limits.idle_timeout);
                auto [ec, n] = co_await stream_.async_read_some(buffer.prepare(4096), use_tuple);
                idle_ = false;
                if (ec) {
                    break;
                }
                buffer.commit(n);
            }

            beast::http::request_parser<beast::http::string_body> parser;
            parser.header_limit(static_cast<std::uint32_t>(limits.max_header_bytes));
            parser.body_limit(limits.max_body_bytes);

            // Most requests arrive whole in the first read: parse what is buffered without
            // another trip through the scheduler, and only await the rest when it is missing.
            std::size_t header_bytes = 0;
            auto parse_ec = parse_buffered(parser, buffer, header_bytes, limits.max_header_bytes);
            if (!parse_ec && !parser.is_header_done()) {
                arm(limits.header_timeout);  // one deadline for the whole header
                while (!parse_ec && !parser.is_header_done()) {
                    auto [read_ec, n] =
                        co_await stream_.async_read_some(buffer.prepare(4096), use_tuple);
                    if (read_ec) {
                        parse_ec = read_ec == net::error::eof ? beast::http::error::partial_message
                                                              : read_ec;
                        break;
                    }
                    buffer.commit(n);
                    parse_ec =
                        parse_buffered(parser, buffer, header_bytes, limits.max_header_bytes);
                }
            }
            if (parse_ec) {
                if (auto why = refusal_for(parse_ec)) {
                    co_await refuse(parser, *why);
                }
                break;
            }
            if (!parser.is_done()) {
                if (beast::iequals(parser.get()[field::expect], "100-continue")) {
                    beast::http::response<beast::http::empty_body> go_on{status::continue_, 11};
                    arm(limits.write_timeout);
                    if (auto [ec, n] = co_await beast::http::async_write(stream_, go_on, use_tuple);
                        ec) {
                        break;
                    }
                }
                arm(limits.body_timeout);
                if (auto [ec, n] =
                        co_await beast::http::async_read(stream_, buffer, parser, use_tuple);
                    ec) {
                    if (auto why = refusal_for(ec)) {
                        co_await refuse(parser, *why);
                    }
                    break;
                }
            }

            disarm();
            stream_function stream_body;
            websocket_function websocket_body;
            bool keep_alive = false;
            {
                const auto req = parser.release();
                auto res = co_await env_.dispatch.handle(
                    req, connection_info{remote_, is_tls<Stream>}, &stream_body, &websocket_body);
                if (websocket_body) {
                    buffer = beast::flat_buffer{};
                    co_await serve_websocket(req, res, websocket_body);
                    break;
                }
                if (draining_ || env_.registry.winding_down()) {
                    res.keep_alive(false);
                }
                arm(limits.write_timeout);
                auto [ec, n] = co_await beast::http::async_write(stream_, res, use_tuple);
                served_ = true;
                keep_alive = !ec && res.keep_alive();
                if (ec) {
                    stream_body = {};
                }
            }
            if (stream_body) {
                buffer = beast::flat_buffer{};  // an idle stream should hold as little as it can
                co_await serve_stream(std::move(stream_body));
                break;
            }
            if (!keep_alive) {
                break;
            }
        }
        co_await close();
    }

    /// Answers a request we will not read to the end, then the caller closes the connection.
    awaitable<void> refuse(const beast::http::request_parser<beast::http::string_body>& parser,
                           const error& why) {
        std::string_view method;
        std::string_view target;
        std::string_view client_id;
        if (parser.is_header_done()) {
            const auto& h = parser.get();
            method = {h.method_string().data(), h.method_string().size()};
            target = {h.target().data(), h.target().size()};
            client_id = {h[request_id_header].data(), h[request_id_header].size()};
        }
        auto res = env_.dispatch.reject(to_problem(why, ""), method, target, client_id,
                                        connection_info{remote_, is_tls<Stream>});
        arm(env_.limits.write_timeout);
        co_await beast::http::async_write(stream_, res, use_tuple);
    }

    awaitable<void> close() {
        if constexpr (is_tls<Stream>) {
            arm(std::chrono::seconds{2});
            co_await stream_.async_shutdown(use_tuple);
        }
        boost::system::error_code ignored;
        lowest().socket().shutdown(net::ip::tcp::socket::shutdown_send, ignored);
        lowest().close();
    }

    session_environment& env_;
    Stream stream_;
    std::string remote_;
    connection_registry::registration registration_;
    io_deadline deadline_;
    bool idle_ = false;                     // strand only: waiting for the first byte of a request
    bool draining_ = false;                 // strand only: finish the current request, then close
    bool served_ = false;                   // strand only: a response was written
    bool stop_requested_ = false;           // strand only: the stream must end
    unique_function<void()> stop_handler_;  // strand only
    std::array<char, 1> probe_{};           // the read that notices a client closing a stream
};

}  // namespace

void start_plain_session(net::ip::tcp::socket socket, session_environment& env) {
    auto remote = remote_of(socket);
    std::make_shared<session<beast::tcp_stream>>(env, std::move(remote), std::move(socket))
        ->start();
}

void start_tls_session(net::ip::tcp::socket socket, net::ssl::context& tls,
                       session_environment& env) {
    auto remote = remote_of(socket);
    std::make_shared<session<beast::ssl_stream<beast::tcp_stream>>>(env, std::move(remote),
                                                                    std::move(socket), tls)
        ->start();
}

void refuse_connection(net::ip::tcp::socket socket, session_environment& env) {
    env.metrics.connection_rejected();
    auto stream = std::make_shared<beast::tcp_stream>(std::move(socket));
    auto res = std::make_shared<response>(env.dispatch.reject(
        to_problem(
            error{errc::unavailable, "The server is at its connection limit; try again shortly."},
            ""),
        "", "", "", connection_info{}));
    res->set(field::retry_after, "1");
    stream->expires_after(std::chrono::seconds{2});
    beast::http::async_write(*stream, *res, [stream, res](boost::system::error_code, std::size_t) {
        boost::system::error_code ignored;
        stream->socket().shutdown(net::ip::tcp::socket::shutdown_both, ignored);
        stream->close();
    });
}

}  // namespace poki::http
