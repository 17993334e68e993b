// One client connection: HTTP/1.1 keep-alive as a coroutine on its own strand, plain or TLS.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>

#include "poki/core/config.hpp"
#include "poki/http/connection_registry.hpp"
#include "poki/http/dispatcher.hpp"
#include "poki/http/http_metrics.hpp"

namespace poki::http {

/// What every session shares; owned by the server, outlives every session.
struct session_environment {
    dispatcher& dispatch;
    const http_config& limits;
    const websocket_config& websocket;
    connection_registry& registry;
    http_metrics& metrics;
};

/// Starts serving a plain TCP connection; the socket's executor must be a strand.
void start_plain_session(net::ip::tcp::socket socket, session_environment& env);

/// Starts serving a TLS connection (handshake first); the socket's executor must be a strand.
void start_tls_session(net::ip::tcp::socket socket, net::ssl::context& tls,
                       session_environment& env);

/// Answers 503 and closes: used when http.max_connections is reached.
void refuse_connection(net::ip::tcp::socket socket, session_environment& env);

}  // namespace poki::http
