#include "poki/http/client.hpp"

#include <algorithm>
#include <array>
#include <cctype>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include "poki/core/error.hpp"

namespace poki::http {
namespace {

namespace beast = boost::beast;
namespace bhttp = beast::http;
constexpr auto use_tuple = net::as_tuple(net::use_awaitable);
constexpr std::size_t max_response_bytes = std::size_t{1024} * 1024;

std::string lower(std::string_view text) {
    std::string out{text};
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

error unreachable(const parsed_url& url, const boost::system::error_code& ec) {
    return error{errc::unavailable, url.host + ":" + url.port + ": " + ec.message()};
}

template <class Stream>
awaitable<client_response> exchange(Stream& stream, const parsed_url& url,
                                    bhttp::request<bhttp::string_body>& req) {
    auto [wec, written] = co_await bhttp::async_write(stream, req, use_tuple);
    if (wec) {
        throw unreachable(url, wec);
    }
    beast::flat_buffer buffer;
    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(max_response_bytes);
    auto [rec, read] = co_await bhttp::async_read(stream, buffer, parser, use_tuple);
    if (rec) {
        throw unreachable(url, rec);
    }
    const auto& res = parser.get();
    client_response out;
    out.status = static_cast<int>(res.result_int());
    for (const auto& field : res) {
        out.headers[lower({field.name_string().data(), field.name_string().size()})] =
            std::string{field.value()};
    }
    out.body = res.body();
    co_return out;
}

/// The status and headers of a response whose body is still to come.
template <class Body>
client_response head_of(const bhttp::response<Body>& res) {
    client_response out;
    out.status = static_cast<int>(res.result_int());
    for (const auto& field : res) {
        out.headers[lower({field.name_string().data(), field.name_string().size()})] =
            std::string{field.value()};
    }
    return out;
}

/// Reads a body piece by piece into `sink`: each read has `idle` to bring something, and
/// the whole exchange ends by `deadline`.
template <class Stream>
awaitable<client_response> exchange_streaming(Stream& stream, const parsed_url& url,
                                              bhttp::request<bhttp::string_body>& req,
                                              std::chrono::steady_clock::time_point deadline,
                                              std::chrono::milliseconds idle,
                                              const client::body_sink& sink) {
    auto& tcp = beast::get_lowest_layer(stream);
    auto [wec, written] = co_await bhttp::async_write(stream, req, use_tuple);
    if (wec) {
        throw unreachable(url, wec);
    }
    beast::flat_buffer buffer;
    bhttp::response_parser<bhttp::buffer_body> parser;
    parser.body_limit(boost::none);  // a stream's length is bounded by its deadline instead
    auto [hec, header_bytes] = co_await bhttp::async_read_header(stream, buffer, parser, use_tuple);
    if (hec) {
        throw unreachable(url, hec);
    }
    auto out = head_of(parser.get());
    const bool success = out.status >= 200 && out.status < 300;
    std::array<char, 4096> piece{};
    while (!parser.is_done()) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) {
            throw error{errc::unavailable, url.host + ":" + url.port + ": answer took too long"};
        }
        tcp.expires_after(std::min(idle, left));
        parser.get().body().data = piece.data();
        parser.get().body().size = piece.size();
        // read_some: a streamed answer's events are handed on as they arrive, not once the
        // piece is full.
        auto [rec, read] = co_await bhttp::async_read_some(stream, buffer, parser, use_tuple);
        if (rec && rec != bhttp::error::need_buffer) {
            throw unreachable(url, rec);
        }
        const auto got = piece.size() - parser.get().body().size;
        if (got == 0) {
            continue;
        }
        if (success) {
            co_await sink(std::string_view{piece.data(), got});
        } else if (out.body.size() < max_response_bytes) {
            out.body.append(piece.data(), got);  // an error's explanation, for the log
        }
    }
    co_return out;
}

/// Resolves, connects (and shakes hands over TLS), then runs `exchange` on the stream.
template <class Exchange>
awaitable<client_response> over_connection(net::io_context& ioc, net::ssl::context& tls,
                                           const parsed_url& url,
                                           std::chrono::milliseconds connect_timeout,
                                           const Exchange& exchange) {
    net::ip::tcp::resolver resolver{ioc};
    auto [rec, endpoints] = co_await resolver.async_resolve(url.host, url.port, use_tuple);
    if (rec) {
        throw unreachable(url, rec);
    }
    beast::tcp_stream tcp{ioc};
    tcp.expires_after(connect_timeout);
    auto [cec, endpoint] = co_await tcp.async_connect(endpoints, use_tuple);
    if (cec) {
        throw unreachable(url, cec);
    }
    if (!url.tls) {
        auto res = co_await exchange(tcp);
        boost::system::error_code ignored;
        tcp.socket().shutdown(net::ip::tcp::socket::shutdown_both, ignored);
        co_return res;
    }
    beast::ssl_stream<beast::tcp_stream> stream{std::move(tcp), tls};
    // SSL_set_tlsext_host_name, without the macro's C-style cast.
    if (SSL_ctrl(stream.native_handle(), SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
                 const_cast<char*>(url.host.c_str())) != 1) {  // NOLINT: OpenSSL's signature
        throw error{errc::unavailable, "cannot set TLS server name"};
    }
    stream.set_verify_callback(net::ssl::host_name_verification{url.host});
    auto [hec] = co_await stream.async_handshake(net::ssl::stream_base::client, use_tuple);
    if (hec) {
        throw unreachable(url, hec);
    }
    auto res = co_await exchange(stream);
    beast::get_lowest_layer(stream).expires_after(connect_timeout);
    co_await stream.async_shutdown(use_tuple);
    co_return res;
}

bhttp::request<bhttp::string_body> post_request(const parsed_url& url,
                                                const std::string& content_type, std::string body,
                                                const std::map<std::string, std::string>& headers) {
    bhttp::request<bhttp::string_body> req{bhttp::verb::post, url.target, 11};
    req.set(bhttp::field::host, url.host);
    req.set(bhttp::field::user_agent, "poki-server");
    req.set(bhttp::field::content_type, content_type);
    req.set(bhttp::field::connection, "close");
    for (const auto& [name, value] : headers) {
        req.set(name, value);
    }
    req.body() = std::move(body);
    req.prepare_payload();
    return req;
}

parsed_url url_or_throw(const std::string& url_text) {
    auto url = parse_url(url_text);
    if (!url) {
        throw error{errc::internal, "not an http(s) URL"};
    }
    return std::move(*url);
}

}  // namespace

std::optional<parsed_url> parse_url(std::string_view url) {
    parsed_url out;
    if (url.starts_with("https://")) {
        out.tls = true;
        url.remove_prefix(8);
    } else if (url.starts_with("http://")) {
        url.remove_prefix(7);
    } else {
        return std::nullopt;
    }
    const auto slash = url.find('/');
    auto authority = url.substr(0, slash);
    out.target = slash == std::string_view::npos ? "/" : std::string{url.substr(slash)};
    if (authority.find('@') != std::string_view::npos) {
        return std::nullopt;  // credentials in URLs end up in logs
    }
    const auto colon = authority.rfind(':');
    if (colon != std::string_view::npos && authority.find(']') == std::string_view::npos) {
        out.port = std::string{authority.substr(colon + 1)};
        authority = authority.substr(0, colon);
        if (out.port.empty() || !std::all_of(out.port.begin(), out.port.end(), [](unsigned char c) {
                return std::isdigit(c) != 0;
            })) {
            return std::nullopt;
        }
    } else {
        out.port = out.tls ? "443" : "80";
    }
    if (authority.empty()) {
        return std::nullopt;
    }
    out.host = std::string{authority};
    return out;
}

std::string client_response::header(const std::string& lower_name) const {
    const auto found = headers.find(lower_name);
    return found == headers.end() ? std::string{} : found->second;
}

client::client(net::io_context& ioc, const std::string& ca_file)
    : ioc_{ioc}, tls_{net::ssl::context::tls_client} {
    tls_.set_options(net::ssl::context::default_workarounds | net::ssl::context::no_sslv2 |
                     net::ssl::context::no_sslv3 | net::ssl::context::no_tlsv1 |
                     net::ssl::context::no_tlsv1_1);
    tls_.set_default_verify_paths();
    if (!ca_file.empty()) {
        tls_.load_verify_file(ca_file);
    }
    tls_.set_verify_mode(net::ssl::verify_peer);
}

awaitable<client_response> client::post(const std::string& url_text, std::string content_type,
                                        std::string body,
                                        const std::map<std::string, std::string>& headers,
                                        std::chrono::milliseconds timeout) {
    const auto url = url_or_throw(url_text);
    auto req = post_request(url, content_type, std::move(body), headers);
    // One deadline for the whole exchange: the stream's timer is set once, here.
    const auto run = [&](auto& stream) { return exchange(stream, url, req); };
    co_return co_await over_connection(ioc_, tls_, url, timeout, run);
}

awaitable<client_response> client::post_streaming(const std::string& url_text,
                                                  std::string content_type, std::string body,
                                                  const std::map<std::string, std::string>& headers,
                                                  std::chrono::milliseconds timeout,
                                                  std::chrono::milliseconds idle, body_sink sink) {
    const auto url = url_or_throw(url_text);
    auto req = post_request(url, content_type, std::move(body), headers);
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    const auto run = [&](auto& stream) {
        return exchange_streaming(stream, url, req, deadline, idle, sink);
    };
    co_return co_await over_connection(ioc_, tls_, url, std::min(timeout, idle), run);
}

}  // namespace poki::http
