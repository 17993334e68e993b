// Listeners (HTTP and optional HTTPS), the connection limit and graceful draining.
#pragma once

#include <atomic>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "poki/core/config.hpp"
#include "poki/http/connection_registry.hpp"
#include "poki/http/session.hpp"

namespace poki::http {

/// Where one server listens: a plain HTTP port, and config.tls's HTTPS port when `with_tls`.
struct listen_plan {
    std::string address;
    std::uint16_t port = 0;
    bool with_tls = false;
    bool reuse_port = false;  ///< SO_REUSEPORT: another process may listen on the same port
};

/// Which process of a SO_REUSEPORT group gets the next connections (see steer()).
enum class steering {
    by_hash,     ///< the kernel's own spread (no program on the group)
    to_earlier,  ///< the process that listened first: the one being taken over from
    to_later,    ///< the process that listened second: this one, taking over
};

class server {
  public:
    server(net::io_context& ioc, const config& cfg, dispatcher& dispatch, http_metrics& metrics,
           listen_plan plan);
    ~server();
    server(const server&) = delete;
    server& operator=(const server&) = delete;

    /// Binds and listens; throws std::runtime_error naming the address that failed.
    void start();

    /// Steers new connections between the two processes of a hand-over, on every listener.
    /// The group holds both processes' sockets in the order they listened, and a classic BPF
    /// program on it picks by that order, so nothing reaches a process that is not ready yet
    /// and nothing new reaches one that is about to close. Throws std::runtime_error when the
    /// kernel refuses.
    void steer(steering choice);

    /// Answers say `Connection: close` from now on (SIGTERM's first step): keep-alive clients
    /// move to a new connection while this server still accepts.
    void wind_down() noexcept { registry_.wind_down(); }

    /// Accepts what already waits in the listening queues, then closes the listening
    /// sockets; established connections go on.
    void stop_accepting();

    /// Lets in-flight requests finish and closes idle connections; after `timeout`, closes the
    /// rest. Completes when no connection is left.
    awaitable<void> drain(milliseconds timeout);

    /// New connections use the certificate and key in these files from now on; connections
    /// already open keep theirs. Throws std::runtime_error when the files do not load (the
    /// running certificate stays). Without an HTTPS listener there is nothing to reload.
    void reload_tls(const std::string& cert_file, const std::string& key_file);

    [[nodiscard]] net::ip::tcp::endpoint http_endpoint() const;
    [[nodiscard]] std::optional<net::ip::tcp::endpoint> https_endpoint() const;
    [[nodiscard]] std::size_t connection_count() const { return registry_.size(); }

  private:
    awaitable<void> accept_loop(net::ip::tcp::acceptor& acceptor, bool tls);
    awaitable<void> sweep_deadlines();
    void open(net::ip::tcp::acceptor& acceptor, const std::string& address,
              std::uint16_t port) const;
    /// A connection the acceptor handed us: served, or refused past the connection limit.
    void take(net::ip::tcp::socket socket, bool tls);
    /// Accepts every connection already queued on `acceptor` without waiting, then closes it.
    void empty_and_close(net::ip::tcp::acceptor& acceptor, bool tls);

    net::io_context& ioc_;
    const config& config_;
    listen_plan plan_;
    connection_registry registry_;
    session_environment env_;
    net::ip::tcp::acceptor http_acceptor_;
    std::optional<net::ip::tcp::acceptor> https_acceptor_;
    /// Replaced on the HTTPS acceptor's strand only. A stream takes its own reference to the
    /// OpenSSL context when it is made, so the one replaced may go at once.
    std::unique_ptr<net::ssl::context> tls_context_;
    net::steady_timer sweep_timer_;
    std::atomic<bool> sweeping_{true};
};

}  // namespace poki::http
