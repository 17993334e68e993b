// A Lua script run by its SHA1 (EVALSHA): Redis hashes and looks up a script sent whole on
// every EVAL, which costs as much as the script's work when it runs tens of thousands of
// times a second. Loaded on first use, and again when Redis has lost it (restart, flush).
#pragma once

#include <mutex>
#include <string>
#include <vector>

#include "poki/cache/redis_client.hpp"

namespace poki::cache {

class redis_script {
  public:
    explicit redis_script(std::string source) : source_{std::move(source)} {}

    /// EVALSHA with `keys` then `args`. Redis's own errors come back as error replies.
    awaitable<redis_reply> run(redis_client& redis, std::vector<std::string> keys,
                               std::vector<std::string> args);

  private:
    awaitable<std::string> load(redis_client& redis);

    std::string source_;
    std::mutex mutex_;
    std::string sha_;  // guarded by mutex_; empty until loaded
};

}  // namespace poki::cache
