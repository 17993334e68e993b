// Password hashing and checking on threads of their own. scrypt is slow and memory-hard on
// purpose (32 MiB, tens of milliseconds); run on the database pool it would hold a
// connection for that long, so a burst of sign-ins would starve every other route.
#pragma once

#include <atomic>
#include <cstddef>
#include <string>

#include <boost/asio/thread_pool.hpp>

#include "poki/core/config.hpp"
#include "poki/core/net.hpp"

namespace poki::auth {

class password_hasher {
  public:
    /// `threads` 0 means one per core. Past `queue_limit` waiting requests, callers get 503
    /// with Retry-After rather than an ever longer wait.
    password_hasher(int log2_n, int threads, int queue_limit);
    explicit password_hasher(const auth_config& cfg)
        : password_hasher{cfg.scrypt_log2_n, cfg.hash_threads, cfg.hash_queue_limit} {}
    ~password_hasher();
    password_hasher(const password_hasher&) = delete;
    password_hasher& operator=(const password_hasher&) = delete;

    awaitable<std::string> hash(std::string password);
    /// False for a wrong password. With no stored hash, checks against a decoy so that an
    /// unknown account costs as long as a known one (no timing oracle for who exists).
    awaitable<bool> verify(std::string password, std::string encoded);

    [[nodiscard]] std::size_t waiting() const noexcept { return waiting_.load(); }
    [[nodiscard]] std::uint64_t refused() const noexcept { return refused_.load(); }
    /// The stop of the threads, for shutdown; work queued after it is refused.
    void stop();

  private:
    template <class F>
    awaitable<std::invoke_result_t<F&>> offload(F fn);

    int log2_n_;
    std::size_t queue_limit_;
    std::string decoy_;
    net::thread_pool threads_;
    std::atomic<std::size_t> waiting_{0};
    std::atomic<std::uint64_t> refused_{0};
};

}  // namespace poki::auth
