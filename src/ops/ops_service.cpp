#include "poki/ops/ops_service.hpp"

#include <optional>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>

namespace poki::ops {
namespace {

/// A probe answers within this, whatever the dependency does: a frozen process accepts bytes
/// and never answers, and a load balancer's probe must not hang on it.
constexpr milliseconds probe_bound{600};

/// The check's answer, or false once `bound` passed without one. Both run on the caller's
/// executor (a session's strand), so the shared state needs no lock.
awaitable<bool> within(milliseconds bound, awaitable<bool> check) {
    struct race {
        net::steady_timer timer;
        std::optional<bool> outcome;
    };
    const auto executor = co_await net::this_coro::executor;
    auto shared = std::make_shared<race>(race{net::steady_timer{executor, bound}, std::nullopt});
    net::co_spawn(executor, std::move(check), [shared](const std::exception_ptr& failure, bool ok) {
        shared->outcome = !failure && ok;
        shared->timer.cancel();
    });
    co_await shared->timer.async_wait(net::as_tuple(net::use_awaitable));
    co_return shared->outcome.value_or(false);
}

}  // namespace

awaitable<readiness> ops_service::check_readiness() {
    using namespace boost::asio::experimental::awaitable_operators;
    auto [postgres, redis] =
        co_await (within(probe_bound, postgres_up()) && within(probe_bound, redis_up()));
    co_return readiness{postgres, redis};
}

awaitable<bool> ops_service::postgres_up() {
    try {
        co_await database_.run_within(probe_bound,
                                      [](pqxx::connection& c) { ops_repository::ping(c); });
        co_return true;
    } catch (const std::exception&) {
        co_return false;
    }
}

awaitable<bool> ops_service::redis_up() {
    try {
        // Built outside the co_await: g++ 12 miscompiles initializer lists inside one.
        cache::redis_command ping;
        ping.emplace_back("PING");
        const auto reply = co_await redis_.command(std::move(ping));
        co_return !reply.is_error();
    } catch (const std::exception&) {
        co_return false;
    }
}

awaitable<schema_info> ops_service::schema() {
    co_return co_await ops_repository::read_schema_info(reads_);
}

}  // namespace poki::ops
