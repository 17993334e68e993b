// What a service test without HTTP stands on: a fresh database with every migration, a Redis
// of the test's own (tests stop and start it), and a pool, a read pipeline and a Redis client
// on one io_context that the test runs.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "poki/cache/redis_client.hpp"
#include "poki/core/error.hpp"
#include "poki/core/principal.hpp"
#include "poki/db/pool.hpp"
#include "poki/db/read_pipeline.hpp"

#include "support/test_support.hpp"

namespace poki::test {

class service_stack {
  public:
    explicit service_stack(int pool_size = 2);
    ~service_stack();
    service_stack(const service_stack&) = delete;
    service_stack& operator=(const service_stack&) = delete;

    /// Runs the io_context until the Redis client is connected, or (up = false) no longer
    /// connected; at most two seconds.
    void wait_for_redis(bool up = true);

    template <class T>
    T run(awaitable<T> task) {
        return test::run(ioc, std::move(task));
    }

    /// The one number a query answers, on a connection of its own.
    [[nodiscard]] std::int64_t count(const std::string& sql) const;

    /// A family made straight in the database (no sign-up), with its family chat room.
    struct made_family {
        std::int64_t id = 0;
        std::int64_t chat_room = 0;
    };
    [[nodiscard]] made_family add_family(const std::string& name) const;
    /// A member of it whose login and display name are `login` (they cannot sign in).
    [[nodiscard]] principal add_member(std::int64_t family_id, role r,
                                       const std::string& login) const;

    scratch_database database;
    own_redis redis_server;
    net::io_context ioc;
    std::unique_ptr<db::pool> pool;
    std::unique_ptr<db::read_pipeline> reads;  ///< beside the pool, on ioc
    std::unique_ptr<cache::redis_client> redis;
};

/// The code of the poki::error `f` throws; a test failure (and errc::internal) when it
/// throws none.
[[nodiscard]] errc failure_of(const std::function<void()>& f);

}  // namespace poki::test
