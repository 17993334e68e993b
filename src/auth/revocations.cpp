#include "poki/auth/revocations.hpp"

#include "poki/core/error.hpp"

namespace poki::auth {
namespace {

std::string key_for(std::int64_t user_id) {
    return "poki:revoked-user:" + std::to_string(user_id);
}

}  // namespace

awaitable<void> revocations::revoke_user(std::int64_t user_id) {
    // A minute of slack covers clocks of other instances running slightly behind.
    cache::redis_command set{"SET", key_for(user_id), "1", "EX",
                             std::to_string(token_lifetime_.count() + 60)};
    const auto reply = co_await redis_.command(std::move(set));
    if (reply.is_error()) {
        throw error{errc::unavailable, "Could not record the removal; try again."};
    }
}

awaitable<bool> revocations::is_revoked(std::int64_t user_id) {
    cache::redis_command exists{"EXISTS", key_for(user_id)};
    const auto reply = co_await redis_.command(std::move(exists));
    if (reply.is_error()) {
        throw error{errc::unavailable, "Authentication is unavailable right now."};
    }
    co_return reply.as_integer() != 0;
}

}  // namespace poki::auth
