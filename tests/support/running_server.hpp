// The real poki binary on a free loopback port, for end-to-end tests.
#pragma once

#include <csignal>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "support/test_support.hpp"

namespace poki::test {

struct server_options {
    std::uint16_t redis_port = 0;  ///< 0: the shared Redis
    nlohmann::json extra = nlohmann::json::object();
};

/// Whether the constructor waits for /healthz, or returns once the process started (for
/// tests of start-up itself).
enum class until { healthy, started };

/// The poki binary serving on a free port, stopped (SIGKILL) when the test ends.
class running_server {
  public:
    explicit running_server(const server_options& options = {}) : running_server{options, {}} {}
    /// With `env` beside the test's own environment.
    running_server(const server_options& options, std::map<std::string, std::string> env,
                   until wait = until::healthy)
        : dir_{temp_dir("poki-e2e")}, port_{free_port()}, env_{std::move(env)} {
        const auto redis_port = options.redis_port != 0
                                    ? options.redis_port
                                    : std::stoi(required_env("TEST_POKI_REDIS_PORT"));
        nlohmann::json cfg{
            {"http", {{"port", port_}, {"threads", 2}, {"drain_timeout_ms", 5000}}},
            {"database",
             {{"url", required_env("TEST_POKI_PG_URL")},
              {"migrations_dir", POKI_TEST_SQL_DIR},
              {"pool_size", 2}}},
            {"redis", {{"port", redis_port}, {"reconnect_min_ms", 20}, {"reconnect_max_ms", 200}}},
            {"log", {{"level", "info"}}},
            {"auth",
             {{"jwt_secret", "e2e-test-signing-key-0123456789abcdef"}, {"scrypt_log2_n", 10}}}};
        cfg.merge_patch(options.extra);
        std::ofstream{dir_ / "poki.json"} << cfg.dump(2);
        start(wait);
    }
    /// SIGKILL: no drain, no goodbye, as a crash or the OOM killer ends it.
    void crash() {
        process_->signal(SIGKILL);
        process_->wait(std::chrono::seconds{10});
    }
    /// The same binary, configuration and port again.
    void start(until wait = until::healthy) {
        process_ = std::make_unique<child_process>(
            POKI_TEST_BINARY,
            std::vector<std::string>{"serve", "--config", (dir_ / "poki.json").string()}, env_,
            dir_ / "server.log");
        if (wait == until::healthy) {
            wait_healthy(std::chrono::seconds{20});
        }
    }
    void wait_healthy(std::chrono::milliseconds timeout) const {
        if (!wait_until_healthy(port_, timeout)) {
            throw std::runtime_error{"server did not become healthy:\n" + log()};
        }
    }
    ~running_server() { std::filesystem::remove_all(dir_); }
    running_server(const running_server&) = delete;
    running_server& operator=(const running_server&) = delete;

    [[nodiscard]] std::uint16_t port() const { return port_; }
    [[nodiscard]] child_process& process() { return *process_; }
    [[nodiscard]] const std::filesystem::path& dir() const { return dir_; }
    [[nodiscard]] std::string log() const {
        std::ifstream in{dir_ / "server.log"};
        std::stringstream text;
        text << in.rdbuf();
        return text.str();
    }
    http_reply request(const std::string& method, const std::string& target,
                       const std::string& body = {},
                       std::map<std::string, std::string> headers = {}) const {
        if (!body.empty() && !headers.contains("Content-Type")) {
            headers["Content-Type"] = "application/json";
        }
        return http_request(port_, method, target, body, headers);
    }

  private:
    std::filesystem::path dir_;
    std::uint16_t port_;
    std::map<std::string, std::string> env_;
    std::unique_ptr<child_process> process_;
};

inline nlohmann::json json_of(const http_reply& r) {
    return nlohmann::json::parse(r.body);
}

/// A problem answer of `category` (one of the errc names); with `code`, also that specific,
/// stable code (without, the code is whatever specific reason the server gives, or the
/// category itself).
inline void expect_problem(const http_reply& r, int status, const std::string& category,
                           const std::string& code = {}) {
    EXPECT_EQ(r.status, status) << r.body;
    EXPECT_EQ(r.header("content-type"), "application/problem+json");
    const auto body = json_of(r);
    EXPECT_EQ(body["status"], status);
    EXPECT_EQ(body["category"], category) << r.body;
    ASSERT_TRUE(body["code"].is_string()) << r.body;
    if (!code.empty()) {
        EXPECT_EQ(body["code"], code) << r.body;
    }
    EXPECT_TRUE(body.contains("title"));
    EXPECT_TRUE(body.contains("type"));
    EXPECT_EQ(body["request_id"], r.header("x-request-id"));
}

/// "field:code" of each field error of a problem answer.
inline std::set<std::string> field_problems(const http_reply& r) {
    std::set<std::string> out;
    const auto body = json_of(r);
    for (const auto& e : body["errors"]) {
        out.insert(e["field"].get<std::string>() + ":" + e["code"].get<std::string>());
    }
    return out;
}

}  // namespace poki::test
