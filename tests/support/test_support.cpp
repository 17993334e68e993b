#include "test_support.hpp"

#include <csignal>
#include <fcntl.h>
#include <fstream>
#include <random>
#include <spawn.h>
#include <stdexcept>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <pqxx/pqxx>

#include "support/api_contract.hpp"

extern char** environ;  // NOLINT(readability-redundant-declaration): POSIX

namespace poki::test {

std::string required_env(const char* name) {
    const char* value = std::getenv(name);  // NOLINT(concurrency-mt-unsafe): read before threads
    if (value == nullptr || *value == '\0') {
        throw std::runtime_error{std::string{name} +
                                 " is not set: run the tests through scripts/test"};
    }
    return value;
}

std::uint16_t free_port() {
    net::io_context ioc;
    net::ip::tcp::acceptor acceptor{ioc, {net::ip::make_address("127.0.0.1"), 0}};
    return acceptor.local_endpoint().port();
}

void stack_control(const std::string& action) {
    auto command = required_env("TEST_POKI_STACK");
    command += ' ';
    command += action;
    if (std::system(command.c_str()) != 0) {  // NOLINT(concurrency-mt-unsafe,cert-env33-c)
        throw std::runtime_error{"stack control failed: " + command};
    }
}

child_process::child_process(const std::string& program, const std::vector<std::string>& args,
                             const std::map<std::string, std::string>& extra_env,
                             const std::filesystem::path& output) {
    std::vector<std::string> env_text;
    for (char** e = environ; *e != nullptr; ++e) {
        const std::string entry{*e};
        const auto name = entry.substr(0, entry.find('='));
        if (!extra_env.contains(name)) {
            env_text.push_back(entry);
        }
    }
    for (const auto& [k, v] : extra_env) {
        env_text.push_back(k);
        env_text.back() += '=';
        env_text.back() += v;
    }
    std::vector<std::string> argv_text{program};
    argv_text.insert(argv_text.end(), args.begin(), args.end());
    std::vector<char*> argv;
    std::vector<char*> envp;
    argv.reserve(argv_text.size() + 1);
    envp.reserve(env_text.size() + 1);
    for (auto& a : argv_text) {
        argv.push_back(a.data());
    }
    argv.push_back(nullptr);
    for (auto& e : env_text) {
        envp.push_back(e.data());
    }
    envp.push_back(nullptr);

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    if (!output.empty()) {
        posix_spawn_file_actions_addopen(&actions, 1, output.c_str(), O_WRONLY | O_CREAT | O_APPEND,
                                         0644);
        posix_spawn_file_actions_adddup2(&actions, 1, 2);
    }
    const int rc =
        posix_spawnp(&pid_, program.c_str(), &actions, nullptr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) {
        throw std::runtime_error{"cannot start " + program};
    }
}

child_process::~child_process() {
    if (!reaped_ && pid_ > 0) {
        ::kill(pid_, SIGKILL);
        int status = 0;
        ::waitpid(pid_, &status, 0);
    }
}

void child_process::signal(int sig) const {
    ::kill(pid_, sig);
}

std::optional<int> child_process::wait(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (true) {
        int status = 0;
        const int r = ::waitpid(pid_, &status, WNOHANG);
        if (r == pid_) {
            reaped_ = true;
            return WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
        }
        if (std::chrono::steady_clock::now() >= deadline) {
            return std::nullopt;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds{10});
    }
}

bool child_process::running() {  // NOLINT(readability-make-member-function-const): reaps
    if (reaped_) {
        return false;
    }
    return !wait(std::chrono::milliseconds{0}).has_value();
}

std::filesystem::path temp_dir(const std::string& prefix) {
    std::random_device rd;
    auto base = std::filesystem::temp_directory_path() / (prefix + "-" + std::to_string(rd()));
    std::filesystem::create_directories(base);
    return base;
}

void write_file(const std::filesystem::path& file, std::string_view bytes) {
    std::filesystem::create_directories(file.parent_path());
    std::ofstream{file, std::ios::binary} << bytes;
}

own_redis::own_redis() : port_{free_port()}, dir_{temp_dir("poki-redis")} {
    start();
}

own_redis::~own_redis() {
    stop();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
}

void own_redis::start() {
    process_ = std::make_unique<child_process>(
        "redis-server",
        std::vector<std::string>{"--bind", "127.0.0.1", "--port", std::to_string(port_), "--dir",
                                 dir_.string(), "--save", "", "--appendonly", "no"},
        std::map<std::string, std::string>{}, dir_ / "redis.log");
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds{10};
    while (std::chrono::steady_clock::now() < deadline) {
        net::io_context ioc;
        net::ip::tcp::socket s{ioc};
        boost::system::error_code ec;
        s.connect({net::ip::make_address("127.0.0.1"), port_}, ec);
        if (!ec) {
            return;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds{20});
    }
    throw std::runtime_error{"redis-server did not start"};
}

void own_redis::stop() {
    if (process_) {
        process_->signal(SIGTERM);
        process_->wait(std::chrono::seconds{5});
        process_.reset();
    }
}

void own_redis::pause() const {
    process_->signal(SIGSTOP);
}
void own_redis::resume() const {
    process_->signal(SIGCONT);
}

scratch_database::scratch_database() {
    std::random_device rd;
    name_ = "poki_test_" + std::to_string(rd());
    pqxx::connection admin{required_env("TEST_POKI_PG_ADMIN_URL")};
    pqxx::nontransaction tx{admin};
    tx.exec("CREATE DATABASE " + name_ + " OWNER poki");
    const auto base = required_env("TEST_POKI_PG_URL");
    url_ = base.substr(0, base.rfind('/') + 1) + name_;
}

scratch_database::~scratch_database() {
    try {
        pqxx::connection admin{required_env("TEST_POKI_PG_ADMIN_URL")};
        pqxx::nontransaction tx{admin};
        tx.exec("DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
    } catch (const std::exception&) {  // NOLINT(bugprone-empty-catch): best effort in a destructor
    }
}

std::string http_reply::header(const std::string& lower_name) const {
    const auto it = headers.find(lower_name);
    return it == headers.end() ? std::string{} : it->second;
}

namespace {

namespace http = boost::beast::http;

http::request<http::string_body> request_of(const std::string& method, const std::string& target,
                                            const std::string& body,
                                            const std::map<std::string, std::string>& headers) {
    http::request<http::string_body> req{http::string_to_verb(method), target, 11};
    req.set(http::field::host, "127.0.0.1");
    for (const auto& [k, v] : headers) {
        req.set(k, v);
    }
    req.body() = body;
    if (!body.empty() || method == "POST" || method == "PUT" || method == "PATCH") {
        req.prepare_payload();
    }
    return req;
}

/// Connects, sends `req` and reads the answer into `parser`. The steps are asynchronous
/// because a tcp_stream's expiry bounds only those: a server that never answers fails the
/// request after `step` instead of hanging the test run.
void exchange(std::uint16_t port, const http::request<http::string_body>& req,
              http::response_parser<http::string_body>& parser) {
    constexpr auto step = std::chrono::seconds{30};
    net::io_context ioc;
    boost::beast::tcp_stream stream{ioc};
    boost::beast::flat_buffer buffer;
    boost::beast::error_code failure;
    std::string_view failed_step;
    const auto failed = [&](boost::beast::error_code ec, std::string_view what) {
        failure = ec;
        failed_step = what;
        return ec.failed();
    };
    const auto on_read = [&](boost::beast::error_code ec, std::size_t) {
        failed(ec, "reading the answer to");
    };
    const auto on_written = [&](boost::beast::error_code ec, std::size_t) {
        if (!failed(ec, "sending")) {
            stream.expires_after(step);
            http::async_read(stream, buffer, parser, on_read);
        }
    };
    stream.expires_after(step);
    stream.async_connect({net::ip::make_address("127.0.0.1"), port},
                         [&](boost::beast::error_code ec) {
                             if (!failed(ec, "connecting for")) {
                                 stream.expires_after(step);
                                 http::async_write(stream, req, on_written);
                             }
                         });
    ioc.run();
    if (failure) {
        throw boost::beast::system_error{
            failure, std::string{failed_step} + " " + std::string{req.method_string()} + " " +
                         std::string{req.target()} + " on port " + std::to_string(port)};
    }
    boost::beast::error_code ignored;
    stream.socket().shutdown(net::ip::tcp::socket::shutdown_both, ignored);
}

}  // namespace

http_reply http_request(std::uint16_t port, const std::string& method, const std::string& target,
                        const std::string& body,
                        const std::map<std::string, std::string>& headers) {
    const auto req = request_of(method, target, body, headers);
    http::response_parser<http::string_body> parser;
    parser.body_limit(std::uint64_t{64} * 1024 * 1024);
    if (method == "HEAD") {
        parser.skip(true);
    }
    exchange(port, req, parser);
    const auto& res = parser.get();
    http_reply reply;
    reply.status = static_cast<int>(res.result_int());
    for (const auto& f : res) {
        std::string name{f.name_string()};
        for (auto& c : name) {
            c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        }
        reply.headers[name] = std::string{f.value()};
    }
    reply.body = res.body();
    check_answer(method, target, reply);
    return reply;
}

bool wait_until_healthy(std::uint16_t port, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        try {
            if (http_request(port, "GET", "/healthz").status == 200) {
                return true;
            }
        } catch (const std::exception&) {  // NOLINT(bugprone-empty-catch): not up yet
        }
        std::this_thread::sleep_for(std::chrono::milliseconds{25});
    }
    return false;
}

bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds timeout,
                std::chrono::milliseconds every) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        if (condition()) {
            return true;
        }
        std::this_thread::sleep_for(every);
    }
    return condition();
}

}  // namespace poki::test
