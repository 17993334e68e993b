#include "poki/core/periodic.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "poki/core/log.hpp"

namespace poki {

awaitable<void> run_periodically(std::string name, std::chrono::milliseconds period,
                                 std::function<awaitable<void>()> job) {
    net::steady_timer timer{co_await net::this_coro::executor};
    while (true) {
        try {
            co_await job();
        } catch (const std::exception& e) {
            log::warn(name + " failed; the next run will retry", {{"error", e.what()}});
        }
        timer.expires_after(period);
        co_await timer.async_wait(net::use_awaitable);
    }
}

}  // namespace poki
