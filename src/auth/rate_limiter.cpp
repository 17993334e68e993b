#include "poki/auth/rate_limiter.hpp"

#include "poki/core/crypto.hpp"
#include "poki/core/error.hpp"

namespace poki::auth {
namespace {

using clock = std::chrono::steady_clock;

error too_many(std::chrono::seconds retry_after) {
    return error::too_many(std::max(retry_after, std::chrono::seconds{1}), "too_many_attempts",
                           "Too many attempts; try again later.");
}

/// Redis counts; nullopt when it cannot (down, timed out, an error reply).
awaitable<std::optional<std::pair<std::int64_t, std::int64_t>>> count_in_redis(
    cache::redis_client& redis, const std::string& key, std::chrono::seconds window) {
    std::vector<cache::redis_command> commands;
    commands.push_back({"INCR", key});
    // NX: the window starts with the first attempt and is not extended by later ones.
    commands.push_back({"EXPIRE", key, std::to_string(window.count()), "NX"});
    commands.push_back({"TTL", key});
    std::vector<cache::redis_reply> replies;
    try {
        replies = co_await redis.pipeline(std::move(commands));
    } catch (const error& e) {
        if (e.code() != errc::unavailable) {
            throw;
        }
        co_return std::nullopt;
    }
    for (const auto& r : replies) {
        if (r.is_error()) {
            co_return std::nullopt;
        }
    }
    co_return std::pair{replies[0].as_integer(), replies[2].as_integer()};
}

}  // namespace

std::optional<std::chrono::seconds> local_counters::hit(const std::string& key, int limit,
                                                        std::chrono::seconds window) {
    const auto now = clock::now();
    const std::lock_guard lock{mutex_};
    auto found = counts_.find(key);
    if (found == counts_.end()) {
        if (counts_.size() >= max_keys_) {
            std::erase_if(counts_, [now](const auto& entry) { return entry.second.ends <= now; });
        }
        if (counts_.size() >= max_keys_) {
            return window;  // full of live windows: refuse rather than grow without bound
        }
        found = counts_.emplace(key, window_count{0, now + window}).first;
    } else if (found->second.ends <= now) {
        found->second = window_count{0, now + window};
    }
    if (++found->second.count > limit) {
        return std::chrono::ceil<std::chrono::seconds>(found->second.ends - now);
    }
    return std::nullopt;
}

void local_counters::give_back(const std::string& key) {
    const std::lock_guard lock{mutex_};
    if (const auto found = counts_.find(key); found != counts_.end() && found->second.count > 0) {
        --found->second.count;
    }
}

std::string rate_limiter::key(std::string_view scope, std::string_view value) {
    return "poki:rl:" + std::string{scope} + ":" +
           crypto::base64url_encode(crypto::sha256(value)).substr(0, 22);
}

awaitable<void> rate_limiter::hit(std::string key, int limit, std::chrono::seconds window) {
    const auto counted = co_await count_in_redis(redis_, key, window);
    if (!counted) {
        if (const auto wait = fallback_.hit(key, limit, window)) {
            throw too_many(*wait);
        }
        co_return;
    }
    if (counted->first > limit) {
        throw too_many(std::chrono::seconds{counted->second});
    }
}

awaitable<void> rate_limiter::give_back(std::string key) {
    fallback_.give_back(key);
    // Never below zero, and never on a key whose window already ended (no TTL-less leftovers).
    cache::redis_command decrement{"EVAL",
                                   "local n = tonumber(redis.call('GET', KEYS[1]) or '0')"
                                   " if n > 0 then return redis.call('DECR', KEYS[1]) end return 0",
                                   "1", std::move(key)};
    try {
        (void)co_await redis_.command(std::move(decrement));
    } catch (const error& e) {
        if (e.code() != errc::unavailable) {
            throw;
        }
    }
}

}  // namespace poki::auth
