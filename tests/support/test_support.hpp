// Helpers shared by the integration and end-to-end tests: the stack that scripts/test
// started, child processes, free ports, running a coroutine to completion, an HTTP client.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <future>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include "poki/core/net.hpp"

namespace poki::test {

/// A variable scripts/test exports; throws (the test fails, never skips) when it is missing.
[[nodiscard]] std::string required_env(const char* name);

[[nodiscard]] std::uint16_t free_port();

/// Runs `stack ACTION` (pg-stop, pg-start, redis-stop …) through scripts/stack.
void stack_control(const std::string& action);

/// Runs `ioc` until the coroutine finishes (other work, such as a live Redis connection, may
/// go on); rethrows its exception.
template <class T>
T run(net::io_context& ioc, awaitable<T> task) {
    auto future = net::co_spawn(ioc, std::move(task), net::use_future);
    ioc.restart();
    while (future.wait_for(std::chrono::seconds{0}) != std::future_status::ready) {
        ioc.run_one_for(std::chrono::milliseconds{10});
        if (ioc.stopped()) {
            ioc.restart();
        }
    }
    return future.get();
}

/// A child process, killed (SIGKILL) and reaped when destroyed unless waited for.
class child_process {
  public:
    child_process(const std::string& program, const std::vector<std::string>& args,
                  const std::map<std::string, std::string>& extra_env = {},
                  const std::filesystem::path& output = {});
    ~child_process();
    child_process(const child_process&) = delete;
    child_process& operator=(const child_process&) = delete;

    void signal(int sig) const;
    /// Waits up to `timeout`; returns the exit code, or -signal, or nullopt on timeout.
    std::optional<int> wait(std::chrono::milliseconds timeout);
    [[nodiscard]] bool running();  // NOLINT(readability-make-member-function-const): reaps
    [[nodiscard]] int pid() const noexcept { return pid_; }

  private:
    int pid_ = -1;
    bool reaped_ = false;
};

/// A Redis server of the test's own on a free port (for tests that stop and start it).
class own_redis {
  public:
    own_redis();
    ~own_redis();
    own_redis(const own_redis&) = delete;
    own_redis& operator=(const own_redis&) = delete;
    void start();
    void stop();
    /// SIGSTOP / SIGCONT: a server that accepts bytes but never answers.
    void pause() const;
    void resume() const;
    [[nodiscard]] std::uint16_t port() const noexcept { return port_; }

  private:
    std::uint16_t port_;
    std::filesystem::path dir_;
    std::unique_ptr<child_process> process_;
};

/// A fresh empty database (created from the admin URL), dropped afterwards.
class scratch_database {
  public:
    scratch_database();
    ~scratch_database();
    scratch_database(const scratch_database&) = delete;
    scratch_database& operator=(const scratch_database&) = delete;
    [[nodiscard]] const std::string& url() const noexcept { return url_; }

  private:
    std::string name_;
    std::string url_;
};

struct http_reply {
    int status = 0;
    std::map<std::string, std::string> headers;  ///< lower-case names
    std::string body;
    [[nodiscard]] std::string header(const std::string& lower_name) const;
};

/// Polls `condition` every `every` until it holds or `timeout` passes; its last answer. The
/// one way tests wait for something asynchronous (never a fixed sleep that hopes).
bool eventually(const std::function<bool()>& condition,
                std::chrono::milliseconds timeout = std::chrono::seconds{10},
                std::chrono::milliseconds every = std::chrono::milliseconds{20});

/// One request over a new plain connection to 127.0.0.1:port.
http_reply http_request(std::uint16_t port, const std::string& method, const std::string& target,
                        const std::string& body = {},
                        const std::map<std::string, std::string>& headers = {});

/// Polls GET /healthz until it answers 200 or the timeout passes.
bool wait_until_healthy(std::uint16_t port, std::chrono::milliseconds timeout);

[[nodiscard]] std::filesystem::path temp_dir(const std::string& prefix);
/// Writes `bytes` to `file`, making its folders first.
void write_file(const std::filesystem::path& file, std::string_view bytes);

}  // namespace poki::test
