// A small HTTP/1.1 client for outside services (FCM and its token endpoint, the model API): one
// request per connection, http:// or https:// (certificates verified, SNI set), bounded in time.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>

#include "poki/core/net.hpp"

namespace poki::http {

struct parsed_url {
    bool tls = false;
    std::string host;
    std::string port;
    std::string target;  ///< path and query, at least "/"
};

/// Only http and https URLs with a host; nullopt otherwise.
[[nodiscard]] std::optional<parsed_url> parse_url(std::string_view url);

struct client_response {
    int status = 0;
    std::map<std::string, std::string> headers;  ///< lower-case names
    std::string body;

    [[nodiscard]] std::string header(const std::string& lower_name) const;
};

class client {
  public:
    /// `ca_file`: an extra PEM bundle to trust besides the system's (empty: system only).
    client(net::io_context& ioc, const std::string& ca_file);

    /// POSTs `body`; throws poki::error (errc::unavailable) when the server cannot be
    /// reached or does not answer within `timeout`. Any HTTP status is a response.
    awaitable<client_response> post(const std::string& url, std::string content_type,
                                    std::string body,
                                    const std::map<std::string, std::string>& headers,
                                    std::chrono::milliseconds timeout);

    /// Receives a response body piece by piece, as it arrives.
    using body_sink = std::function<awaitable<void>(std::string_view)>;

    /// POSTs `body` and hands a 2xx answer's body to `sink` as it arrives (a streamed
    /// answer); another status's body is collected into the response instead. Throws
    /// errc::unavailable when the server cannot be reached, stays silent past `idle`, or
    /// has not finished within `timeout`.
    awaitable<client_response> post_streaming(const std::string& url, std::string content_type,
                                              std::string body,
                                              const std::map<std::string, std::string>& headers,
                                              std::chrono::milliseconds timeout,
                                              std::chrono::milliseconds idle, body_sink sink);

  private:
    net::io_context& ioc_;
    net::ssl::context tls_;
};

}  // namespace poki::http
