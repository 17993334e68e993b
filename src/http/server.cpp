#include "poki/http/server.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "poki/core/log.hpp"
#include "poki/http/tls.hpp"

namespace poki::http {
namespace {
constexpr auto use_tuple = net::as_tuple(net::use_awaitable);
}

server::server(net::io_context& ioc, const config& cfg, dispatcher& dispatch, http_metrics& metrics)
    : ioc_{ioc}
    , config_{cfg}
    , env_{dispatch, cfg.http, cfg.ws, registry_, metrics}
    , http_acceptor_{net::make_strand(ioc)}
    , sweep_timer_{net::make_strand(ioc)} {}

server::~server() = default;

void server::open(net::ip::tcp::acceptor& acceptor, const std::string& address,
                  std::uint16_t port) {
    boost::system::error_code ec;
    const auto ip = net::ip::make_address(address, ec);
    if (ec) {
        throw std::runtime_error{"listen: '" + address + "' is not an IP address"};
    }
    const net::ip::tcp::endpoint endpoint{ip, port};
    acceptor.open(endpoint.protocol());
    acceptor.set_option(net::socket_base::reuse_address{true});
    acceptor.bind(endpoint, ec);
    if (ec) {
        throw std::runtime_error{"listen: cannot bind " + address + ":" + std::to_string(port) +
                                 ": " + ec.message()};
    }
    acceptor.listen(net::socket_base::max_listen_connections);
}

void server::start() {
    open(http_acceptor_, config_.http.address, config_.http.port);
    net::co_spawn(sweep_timer_.get_executor(), sweep_deadlines(), net::detached);
    net::co_spawn(http_acceptor_.get_executor(), accept_loop(http_acceptor_, false), net::detached);
    log::info("listening", {{"scheme", "http"},
                            {"address", http_endpoint().address().to_string()},
                            {"port", http_endpoint().port()}});
    if (config_.tls.enabled) {
        tls_context_ = std::make_unique<net::ssl::context>(
            make_server_tls_context(config_.tls.cert_file, config_.tls.key_file));
        https_acceptor_.emplace(net::make_strand(ioc_));
        open(*https_acceptor_, config_.tls.address, config_.tls.port);
        net::co_spawn(https_acceptor_->get_executor(), accept_loop(*https_acceptor_, true),
                      net::detached);
        log::info("listening",
                  {{"scheme", "https"},
                   {"address", https_acceptor_->local_endpoint().address().to_string()},
                   {"port", https_acceptor_->local_endpoint().port()}});
    }
}

awaitable<void> server::accept_loop(net::ip::tcp::acceptor& acceptor, bool tls) {
    net::steady_timer backoff{acceptor.get_executor()};
    while (acceptor.is_open()) {
        auto [ec, socket] = co_await acceptor.async_accept(net::make_strand(ioc_), use_tuple);
        if (ec == net::error::operation_aborted || !acceptor.is_open()) {
            break;
        }
        if (ec) {
            // Out of file descriptors and the like: pause instead of spinning.
            log::warn("accept failed", {{"error", ec.message()}});
            backoff.expires_after(std::chrono::milliseconds{50});
            co_await backoff.async_wait(use_tuple);
            continue;
        }
        if (registry_.draining()) {
            continue;  // the socket closes as it goes out of scope
        }
        socket.set_option(net::ip::tcp::no_delay{true}, ec);
        if (static_cast<std::size_t>(env_.metrics.open_connections()) >=
            config_.http.max_connections) {
            refuse_connection(std::move(socket), env_);
        } else if (tls) {
            start_tls_session(std::move(socket), *tls_context_, env_);
        } else {
            start_plain_session(std::move(socket), env_);
        }
    }
}

awaitable<void> server::sweep_deadlines() {
    // A quarter second is coarse next to timeouts of seconds, and cheap for 10,000 connections.
    constexpr auto interval = std::chrono::milliseconds{250};
    while (sweeping_.load(std::memory_order_relaxed)) {
        sweep_timer_.expires_after(interval);
        if (auto [ec] = co_await sweep_timer_.async_wait(use_tuple); ec) {
            break;
        }
        registry_.close_overdue(std::chrono::steady_clock::now());
    }
}

void server::reload_tls(const std::string& cert_file, const std::string& key_file) {
    if (!https_acceptor_) {
        return;
    }
    auto fresh = std::make_unique<net::ssl::context>(make_server_tls_context(cert_file, key_file));
    net::post(https_acceptor_->get_executor(),
              [this, fresh = std::move(fresh)]() mutable { tls_context_ = std::move(fresh); });
}

void server::stop_accepting() {
    const auto close = [](net::ip::tcp::acceptor& a) {
        net::post(a.get_executor(), [&a] {
            boost::system::error_code ignored;
            a.close(ignored);
        });
    };
    close(http_acceptor_);
    if (https_acceptor_) {
        close(*https_acceptor_);
    }
}

awaitable<void> server::drain(milliseconds timeout) {
    registry_.stop_all(false);
    net::steady_timer tick{co_await net::this_coro::executor};
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (registry_.size() > 0 && std::chrono::steady_clock::now() < deadline) {
        tick.expires_after(std::chrono::milliseconds{20});
        co_await tick.async_wait(use_tuple);
    }
    if (registry_.size() > 0) {
        log::warn("drain timeout; closing remaining connections",
                  {{"connections", registry_.size()}});
        registry_.stop_all(true);
        const auto hard_deadline = std::chrono::steady_clock::now() + std::chrono::seconds{2};
        while (registry_.size() > 0 && std::chrono::steady_clock::now() < hard_deadline) {
            tick.expires_after(std::chrono::milliseconds{20});
            co_await tick.async_wait(use_tuple);
        }
    }
    sweeping_.store(false, std::memory_order_relaxed);
    net::post(sweep_timer_.get_executor(), [this] { sweep_timer_.cancel(); });
}

net::ip::tcp::endpoint server::http_endpoint() const {
    return http_acceptor_.local_endpoint();
}

std::optional<net::ip::tcp::endpoint> server::https_endpoint() const {
    if (!https_acceptor_) {
        return std::nullopt;
    }
    return https_acceptor_->local_endpoint();
}

}  // namespace poki::http
