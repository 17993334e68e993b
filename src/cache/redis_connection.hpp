// One hiredis async context driven by Asio on a strand, reconnecting with backoff.
// The socket belongs to hiredis: the stream_descriptor only waits on it and is released,
// never closed.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <hiredis/async.h>

#include "poki/cache/redis_client.hpp"
#include "poki/cache/redis_reply.hpp"

namespace poki::cache::detail {

[[nodiscard]] redis_reply to_reply(const redisReply* reply);

class redis_connection : public std::enable_shared_from_this<redis_connection> {
  public:
    using strand_type = net::strand<net::io_context::executor_type>;

    redis_connection(net::io_context& ioc, const redis_config& cfg, std::string name);
    ~redis_connection();
    redis_connection(const redis_connection&) = delete;
    redis_connection& operator=(const redis_connection&) = delete;

    void start();
    void stop();

    [[nodiscard]] strand_type& strand() noexcept { return strand_; }
    [[nodiscard]] const redis_config& config() const noexcept { return config_; }

    /// Strand only: the live context once connected (after AUTH/SELECT were sent), else null.
    [[nodiscard]] redisAsyncContext* ready_context() const noexcept {
        return state_ == redis_state::connected ? context_ : nullptr;
    }

    /// Called on the strand after each successful connect; set before start().
    std::function<void(redisAsyncContext*)> on_connected;

    [[nodiscard]] redis_stats stats() const noexcept;
    void count_command() noexcept { commands_.fetch_add(1, std::memory_order_relaxed); }
    void count_failure() noexcept { failures_.fetch_add(1, std::memory_order_relaxed); }

  private:
    // hiredis callbacks (C linkage-compatible statics); privdata / data is `this`.
    static void handle_connect(const redisAsyncContext* ac, int status);
    static void handle_disconnect(const redisAsyncContext* ac, int status);
    static void hook_add_read(void* self);
    static void hook_del_read(void* self);
    static void hook_add_write(void* self);
    static void hook_del_write(void* self);
    static void hook_cleanup(void* self);

    void connect();
    void connect_to(const std::string& ip);
    void schedule_reconnect();
    enum class direction { read, write };
    /// Waits (once at a time per direction) for the socket, then lets hiredis read or write.
    void wait(direction d);
    void set_state(redis_state s) noexcept;

    net::io_context& ioc_;
    redis_config config_;
    std::string name_;
    strand_type strand_;
    net::steady_timer reconnect_timer_;
    net::ip::tcp::resolver resolver_;
    milliseconds backoff_;

    // Strand only.
    redisAsyncContext* context_ = nullptr;
    std::optional<net::posix::stream_descriptor> socket_;
    bool want_read_ = false;
    bool want_write_ = false;
    bool read_waiting_ = false;
    bool write_waiting_ = false;
    bool stopping_ = false;
    std::uint64_t generation_ = 0;

    std::atomic<redis_state> state_{redis_state::disconnected};
    std::atomic<std::uint64_t> connects_{0};
    std::atomic<std::uint64_t> commands_{0};
    std::atomic<std::uint64_t> failures_{0};
};

}  // namespace poki::cache::detail
