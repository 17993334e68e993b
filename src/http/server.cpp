#include "poki/http/server.hpp"

#include <array>
#include <cerrno>
#include <linux/filter.h>
#include <sys/socket.h>
#include <system_error>

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

#ifndef SO_DETACH_REUSEPORT_BPF
constexpr int SO_DETACH_REUSEPORT_BPF = 68;  // Linux 5.8; older headers lack the name
#endif

/// A one-instruction classic BPF program for the socket's SO_REUSEPORT group: every new
/// connection goes to the socket at `index` in the group's order of listening (an index past
/// the group's end falls back to the hash, so a group that shrank to one socket still works).
void attach_group_program(int fd, std::uint32_t index) {
    std::array<sock_filter, 1> code{{{BPF_RET | BPF_K, 0, 0, index}}};
    const sock_fprog program{static_cast<unsigned short>(code.size()), code.data()};
    if (::setsockopt(fd, SOL_SOCKET, SO_ATTACH_REUSEPORT_CBPF, &program, sizeof program) != 0) {
        throw std::runtime_error{"listen: cannot steer the port's connections: " +
                                 std::error_code{errno, std::generic_category()}.message()};
    }
}

void detach_group_program(int fd) {
    const int unused = 0;
    // ENOENT: no program was attached, which is what we want.
    if (::setsockopt(fd, SOL_SOCKET, SO_DETACH_REUSEPORT_BPF, &unused, sizeof unused) != 0 &&
        errno != ENOENT) {
        throw std::runtime_error{"listen: cannot stop steering the port's connections: " +
                                 std::error_code{errno, std::generic_category()}.message()};
    }
}

}  // namespace

server::server(net::io_context& ioc, const config& cfg, dispatcher& dispatch, http_metrics& metrics,
               listen_plan plan)
    : ioc_{ioc}
    , config_{cfg}
    , plan_{std::move(plan)}
    , env_{dispatch, cfg.http, cfg.ws, registry_, metrics}
    , http_acceptor_{net::make_strand(ioc)}
    , sweep_timer_{net::make_strand(ioc)} {}

server::~server() = default;

void server::open(net::ip::tcp::acceptor& acceptor, const std::string& address,
                  std::uint16_t port) const {
    boost::system::error_code ec;
    const auto ip = net::ip::make_address(address, ec);
    if (ec) {
        throw std::runtime_error{"listen: '" + address + "' is not an IP address"};
    }
    const net::ip::tcp::endpoint endpoint{ip, port};
    acceptor.open(endpoint.protocol());
    acceptor.set_option(net::socket_base::reuse_address{true});
    if (plan_.reuse_port) {
        const int on = 1;
        if (::setsockopt(acceptor.native_handle(), SOL_SOCKET, SO_REUSEPORT, &on, sizeof on) != 0) {
            throw std::runtime_error{"listen: SO_REUSEPORT: " +
                                     std::error_code{errno, std::generic_category()}.message()};
        }
    }
    acceptor.bind(endpoint, ec);
    if (ec) {
        throw std::runtime_error{"listen: cannot bind " + address + ":" + std::to_string(port) +
                                 ": " + ec.message()};
    }
    acceptor.listen(net::socket_base::max_listen_connections);
}

void server::start() {
    open(http_acceptor_, plan_.address, plan_.port);
    net::co_spawn(sweep_timer_.get_executor(), sweep_deadlines(), net::detached);
    net::co_spawn(http_acceptor_.get_executor(), accept_loop(http_acceptor_, false), net::detached);
    log::info("listening", {{"scheme", "http"},
                            {"address", http_endpoint().address().to_string()},
                            {"port", http_endpoint().port()}});
    if (plan_.with_tls && config_.tls.enabled) {
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
        take(std::move(socket), tls);
    }
}

void server::take(net::ip::tcp::socket socket, bool tls) {
    if (registry_.draining()) {
        return;  // the socket closes as it goes out of scope
    }
    boost::system::error_code ec;
    socket.set_option(net::ip::tcp::no_delay{true}, ec);
    if (static_cast<std::size_t>(env_.metrics.open_connections()) >= config_.http.max_connections) {
        refuse_connection(std::move(socket), env_);
    } else if (tls) {
        start_tls_session(std::move(socket), *tls_context_, env_);
    } else {
        start_plain_session(std::move(socket), env_);
    }
}

void server::steer(steering choice) {
    const auto apply = [choice](net::ip::tcp::acceptor& a) {
        switch (choice) {
            case steering::by_hash:
                detach_group_program(a.native_handle());
                break;
            case steering::to_earlier:
                attach_group_program(a.native_handle(), 0);
                break;
            case steering::to_later:
                attach_group_program(a.native_handle(), 1);
                break;
        }
    };
    apply(http_acceptor_);
    if (https_acceptor_) {
        apply(*https_acceptor_);
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

void server::empty_and_close(net::ip::tcp::acceptor& acceptor, bool tls) {
    // A connection the kernel completed into this queue would be reset by close(): in a
    // hand-over the other process is steered every new one, so what is queued now is all
    // there will be.
    boost::system::error_code ec;
    acceptor.non_blocking(true, ec);
    while (!ec && acceptor.is_open()) {
        net::ip::tcp::socket socket{net::make_strand(ioc_)};
        acceptor.accept(socket, ec);
        if (!ec) {
            take(std::move(socket), tls);
        }
    }
    acceptor.close(ec);
}

void server::stop_accepting() {
    net::post(http_acceptor_.get_executor(), [this] { empty_and_close(http_acceptor_, false); });
    if (https_acceptor_) {
        net::post(https_acceptor_->get_executor(),
                  [this] { empty_and_close(*https_acceptor_, true); });
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
