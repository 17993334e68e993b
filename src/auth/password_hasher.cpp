#include "poki/auth/password_hasher.hpp"

#include <exception>
#include <thread>

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "poki/auth/password.hpp"
#include "poki/core/error.hpp"

namespace poki::auth {
namespace {

std::size_t thread_count(int configured) {
    if (configured > 0) {
        return static_cast<std::size_t>(configured);
    }
    return std::max(1U, std::thread::hardware_concurrency());
}

}  // namespace

password_hasher::password_hasher(int log2_n, int threads, int queue_limit)
    : log2_n_{log2_n}
    , queue_limit_{static_cast<std::size_t>(queue_limit)}
    , decoy_{hash_password("decoy password, never matches", log2_n)}
    , threads_{thread_count(threads)} {}

password_hasher::~password_hasher() {
    stop();
}

void password_hasher::stop() {
    threads_.stop();
    threads_.join();
}

template <class F>
awaitable<std::invoke_result_t<F&>> password_hasher::offload(F fn) {
    using result = std::invoke_result_t<F&>;
    if (waiting_.fetch_add(1) >= queue_limit_) {
        waiting_.fetch_sub(1);
        refused_.fetch_add(1);
        throw error::busy(std::chrono::seconds{1}, "Too many sign-ins at once; try again shortly.");
    }
    struct release {
        std::atomic<std::size_t>& count;
        ~release() { count.fetch_sub(1); }
    } const leave{waiting_};
    // The hashing thread computes; the answer is handed back on the caller's executor, so
    // the coroutine resumes on its io thread.
    auto initiate = [this, fn = std::move(fn)](auto handler) mutable {
        auto home = net::get_associated_executor(handler);
        net::post(threads_, [fn = std::move(fn), handler = std::move(handler), home]() mutable {
            std::exception_ptr failure;
            result value{};
            try {
                value = fn();
            } catch (...) {
                failure = std::current_exception();
            }
            net::dispatch(
                home, [handler = std::move(handler), failure, value = std::move(value)]() mutable {
                    std::move(handler)(failure, std::move(value));
                });
        });
    };
    co_return co_await net::async_initiate<const net::use_awaitable_t<>&,
                                           void(std::exception_ptr, result)>(std::move(initiate),
                                                                             net::use_awaitable);
}

awaitable<std::string> password_hasher::hash(std::string password) {
    auto work = [this, password = std::move(password)] { return hash_password(password, log2_n_); };
    co_return co_await offload(std::move(work));
}

awaitable<bool> password_hasher::verify(std::string password, std::string encoded) {
    auto work = [this, password = std::move(password), encoded = std::move(encoded)] {
        return verify_password(password, encoded.empty() ? decoy_ : encoded);
    };
    co_return co_await offload(std::move(work));
}

}  // namespace poki::auth
