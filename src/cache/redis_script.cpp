#include "poki/cache/redis_script.hpp"

#include "poki/core/error.hpp"

namespace poki::cache {

awaitable<std::string> redis_script::load(redis_client& redis) {
    redis_command command{"SCRIPT", "LOAD", source_};
    const auto reply = co_await redis.command(std::move(command));
    if (reply.is_error() || reply.text.empty()) {
        throw error{errc::unavailable, "Redis did not take a script."};
    }
    const std::lock_guard lock{mutex_};
    sha_ = reply.text;
    co_return sha_;
}

awaitable<redis_reply> redis_script::run(redis_client& redis, std::vector<std::string> keys,
                                         std::vector<std::string> args) {
    std::string sha;
    {
        const std::lock_guard lock{mutex_};
        sha = sha_;
    }
    if (sha.empty()) {
        sha = co_await load(redis);
    }
    redis_command command{"EVALSHA", sha, std::to_string(keys.size())};
    command.insert(command.end(), keys.begin(), keys.end());
    command.insert(command.end(), args.begin(), args.end());
    auto reply = co_await redis.command(command);
    if (reply.is_error() && reply.text.starts_with("NOSCRIPT")) {
        command[1] = co_await load(redis);
        reply = co_await redis.command(std::move(command));
    }
    co_return reply;
}

}  // namespace poki::cache
