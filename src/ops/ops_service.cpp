#include "poki/ops/ops_service.hpp"

#include <boost/asio/experimental/awaitable_operators.hpp>

namespace poki::ops {

awaitable<readiness> ops_service::check_readiness() {
    using namespace boost::asio::experimental::awaitable_operators;
    auto [postgres, redis] = co_await (postgres_up() && redis_up());
    co_return readiness{postgres, redis};
}

awaitable<bool> ops_service::postgres_up() {
    try {
        co_await database_.run([](pqxx::connection& c) { ops_repository::ping(c); });
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
    co_return co_await database_.run(
        [](pqxx::connection& c) { return ops_repository::read_schema_info(c); });
}

}  // namespace poki::ops
