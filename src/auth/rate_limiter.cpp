#include "poki/auth/rate_limiter.hpp"

#include "poki/core/error.hpp"

namespace poki::auth {

awaitable<void> rate_limiter::hit(std::string key, int limit, std::chrono::seconds window) {
    std::vector<cache::redis_command> commands;
    commands.push_back({"INCR", key});
    // NX: the window starts with the first attempt and is not extended by later ones.
    commands.push_back({"EXPIRE", key, std::to_string(window.count()), "NX"});
    commands.push_back({"TTL", key});
    const auto replies = co_await redis_.pipeline(std::move(commands));
    for (const auto& r : replies) {
        if (r.is_error()) {
            throw error{errc::unavailable, "The rate limiter is unavailable."};
        }
    }
    if (replies[0].as_integer() > limit) {
        const auto ttl = std::max<std::int64_t>(1, replies[2].as_integer());
        throw error::too_many(std::chrono::seconds{ttl}, "Too many attempts; try again later.");
    }
}

}  // namespace poki::auth
