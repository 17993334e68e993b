// What an operator's service manager sees of the real binary: the notify protocol (READY,
// WATCHDOG, STOPPING) on a socket the test owns, /readyz failing through the unready delay
// while requests are still served, environment variables that name no key, and a database
// that comes up after the server.
#include <array>
#include <csignal>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <poll.h>
#include <regex>
#include <set>
#include <sstream>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "poki/core/config.hpp"

#include "support/notify_socket.hpp"
#include "support/running_server.hpp"
#include "support/test_support.hpp"

namespace poki::test {
namespace {

using std::chrono::milliseconds;

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

std::string read_text(const std::filesystem::path& file) {
    std::ifstream in{file};
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

TEST(Operations, TheServiceManagerHearsReadyWatchdogPingsAndStopping) {
    notify_socket manager;
    running_server server{{.extra = {{"http", {{"unready_delay_ms", 1500}}}}},
                          {{"NOTIFY_SOCKET", manager.name()}, {"WATCHDOG_USEC", "200000"}}};
    // READY comes once migrations ran and the listeners are up: healthy already.
    const auto ready = manager.next_state(milliseconds{5000});
    ASSERT_TRUE(ready.has_value());
    EXPECT_TRUE(contains(*ready, "READY=1")) << *ready;
    EXPECT_TRUE(contains(*ready, "MAINPID=" + std::to_string(server.process().pid()))) << *ready;

    // Half the manager's timeout apart: several pings in a second.
    int pings = 0;
    const auto until = std::chrono::steady_clock::now() + milliseconds{1000};
    while (std::chrono::steady_clock::now() < until) {
        if (const auto m = manager.next(milliseconds{50}); m && *m == "WATCHDOG=1") {
            ++pings;
        }
    }
    EXPECT_GE(pings, 3);

    server.process().signal(SIGTERM);
    const auto stopping = manager.next_state(milliseconds{5000});
    ASSERT_TRUE(stopping.has_value());
    EXPECT_TRUE(contains(*stopping, "STOPPING=1")) << *stopping;
    // Within the unready delay: the probe fails at once, a new request is still served.
    expect_problem(server.request("GET", "/readyz"), 503, "unavailable", "shutting_down");
    EXPECT_EQ(server.request("GET", "/api/v1/meta").status, 200);
    EXPECT_EQ(server.process().wait(std::chrono::seconds{15}), 0) << server.log();
}

TEST(Operations, AnAbstractSocketIsNotifiedAndAnotherProcesssWatchdogIsLeftAlone) {
    notify_socket manager{true};
    running_server server{
        {},
        {{"NOTIFY_SOCKET", manager.name()}, {"WATCHDOG_USEC", "100000"}, {"WATCHDOG_PID", "1"}}};
    const auto ready = manager.next(milliseconds{5000});
    ASSERT_TRUE(ready.has_value());
    EXPECT_TRUE(contains(*ready, "READY=1")) << *ready;
    EXPECT_FALSE(manager.next(milliseconds{500}).has_value()) << "pinged for another process";
}

TEST(Operations, WithoutAManagerNothingIsSentAndReadinessHoldsUntilSigterm) {
    running_server server;
    EXPECT_EQ(server.request("GET", "/readyz").status, 200);
    server.process().signal(SIGTERM);
    EXPECT_EQ(server.process().wait(std::chrono::seconds{15}), 0) << server.log();
    EXPECT_FALSE(contains(server.log(), "notification not sent"));
}

// Orchestrators set POKI_PORT and POKI_REDIS_PORT for a service named poki: a warning that
// names the variable (never its value), unless strict mode is on.
TEST(Operations, VariablesThatNameNoKeyWarnUnlessStrict) {
    running_server server{{},
                          {{"POKI_PORT", "tcp://10.0.0.7:8080"},
                           {"POKI_REDIS_PORT_6379_TCP", "tcp://10.0.0.8:6379"}}};
    EXPECT_EQ(server.request("GET", "/readyz").status, 200);
    const auto log = server.log();
    EXPECT_TRUE(contains(log, R"("variable":"POKI_PORT")")) << log;
    EXPECT_TRUE(contains(log, R"("variable":"POKI_REDIS_PORT_6379_TCP")")) << log;
    EXPECT_FALSE(contains(log, "10.0.0.7")) << log;

    const auto dir = temp_dir("poki-strict");
    child_process strict{POKI_TEST_BINARY,
                         {"serve"},
                         {{"POKI_PORT", "tcp://10.0.0.7:8080"}, {"POKI_STRICT_ENVIRONMENT", "1"}},
                         dir / "out.log"};
    EXPECT_EQ(strict.wait(std::chrono::seconds{10}), 2);
    std::ifstream in{dir / "out.log"};
    std::stringstream text;
    text << in.rdbuf();
    EXPECT_TRUE(contains(text.str(), "unknown environment variable POKI_PORT")) << text.str();
    std::filesystem::remove_all(dir);
}

/// The first lines `poki serve` writes when its config cannot serve, with JOURNAL_STREAM
/// naming stdout (as systemd does) or something else.
std::string start_up_failure_output(bool stdout_is_the_journal) {
    const auto dir = temp_dir("poki-journal");
    const auto out = dir / "out.log";
    std::ofstream{out}.flush();
    std::ofstream{dir / "bad.json"} << R"({"web": {"root": "/nonexistent/poki-web"}})";
    struct stat file {};
    ::stat(out.c_str(), &file);
    const auto stream = stdout_is_the_journal
                            ? std::to_string(file.st_dev) + ":" + std::to_string(file.st_ino)
                            : std::string{"1:1"};
    child_process process{POKI_TEST_BINARY,
                          {"serve", "--config", (dir / "bad.json").string()},
                          {{"JOURNAL_STREAM", stream}, {"POKI_MODE", "development"}},
                          out};
    EXPECT_EQ(process.wait(std::chrono::seconds{10}), 2);
    std::ifstream in{out};
    std::stringstream text;
    text << in.rdbuf();
    std::filesystem::remove_all(dir);
    return text.str();
}

TEST(Operations, LinesToTheJournalCarryTheirPriority) {
    const auto journal = start_up_failure_output(true);
    EXPECT_TRUE(contains(journal, "<3>{\"ts\"")) << journal;
    const auto file = start_up_failure_output(false);
    EXPECT_TRUE(contains(file, "\n{\"ts\"") || file.starts_with("{\"ts\"")) << file;
    EXPECT_FALSE(contains(file, "<3>")) << file;
}

/// A self-signed certificate for 127.0.0.1 whose subject names `organisation`.
void make_certificate(const std::filesystem::path& dir, const std::string& organisation) {
    const auto command =
        "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1/O=" + organisation +
        " -keyout " + (dir / "key.pem").string() + " -out " + (dir / "cert.pem").string() +
        " >/dev/null 2>&1";
    ASSERT_EQ(std::system(command.c_str()), 0);  // NOLINT(concurrency-mt-unsafe,cert-env33-c)
}

/// A TLS connection to the server that keeps its session for more than one request.
class tls_connection {
  public:
    explicit tls_connection(std::uint16_t port) : stream_{ioc_, context_} {
        boost::beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds{10});
        boost::beast::get_lowest_layer(stream_).connect({net::ip::make_address("127.0.0.1"), port});
        stream_.handshake(net::ssl::stream_base::client);
    }
    /// The subject of the certificate the server showed.
    [[nodiscard]] std::string subject() {
        const std::unique_ptr<X509, decltype(&X509_free)> peer{
            SSL_get1_peer_certificate(stream_.native_handle()), &X509_free};
        std::array<char, 256> text{};
        X509_NAME_oneline(X509_get_subject_name(peer.get()), text.data(),
                          static_cast<int>(text.size()));
        return text.data();
    }
    unsigned get(const std::string& target) {
        namespace http = boost::beast::http;
        http::request<http::empty_body> req{http::verb::get, target, 11};
        req.set(http::field::host, "127.0.0.1");
        http::write(stream_, req);
        http::response<http::string_body> res;
        http::read(stream_, buffer_, res);
        return res.result_int();
    }

  private:
    net::io_context ioc_;
    net::ssl::context context_{net::ssl::context::tls_client};  // no verification: we look
    boost::beast::ssl_stream<boost::beast::tcp_stream> stream_;
    boost::beast::flat_buffer buffer_;
};

TEST(Operations, SighupReloadsTheCertificateAndTheLogLevelAndKeepsThemWhenTheFileIsBroken) {
    const auto certs = temp_dir("poki-reload");
    make_certificate(certs, "first");
    const auto tls_port = free_port();
    running_server server{{.extra = {{"tls",
                                      {{"enabled", true},
                                       {"port", tls_port},
                                       {"cert_file", (certs / "cert.pem").string()},
                                       {"key_file", (certs / "key.pem").string()}}}}}};
    tls_connection before{tls_port};
    EXPECT_TRUE(contains(before.subject(), "O=first"));
    EXPECT_EQ(before.get("/healthz"), 200U);

    make_certificate(certs, "second");
    const auto config_file = server.dir() / "poki.json";
    auto cfg = nlohmann::json::parse(read_text(config_file));
    cfg["log"]["level"] = "warn";
    std::ofstream{config_file} << cfg.dump();
    server.process().signal(SIGHUP);
    EXPECT_TRUE(eventually([&] {
        return contains(tls_connection{tls_port}.subject(), "O=second");
    })) << server.log();
    EXPECT_EQ(before.get("/healthz"), 200U) << "a connection open before the reload still works";

    std::ofstream{config_file} << "{ not json";
    server.process().signal(SIGHUP);
    ASSERT_TRUE(eventually([&] { return contains(server.log(), "reload failed"); }))
        << server.log();
    EXPECT_TRUE(contains(tls_connection{tls_port}.subject(), "O=second"));
    EXPECT_EQ(server.request("GET", "/healthz").status, 200);

    server.process().signal(SIGTERM);
    EXPECT_EQ(server.process().wait(std::chrono::seconds{15}), 0);
    const auto log = server.log();
    const auto reloaded = log.find("configuration reloaded");
    ASSERT_NE(reloaded, std::string::npos) << log;
    // "warn" from the reload on: the info line of the shutdown no longer shows.
    EXPECT_TRUE(contains(log.substr(0, reloaded), "server started"));
    EXPECT_FALSE(contains(log.substr(reloaded), "shutting down")) << log;
    std::filesystem::remove_all(certs);
}

/// The test database's URL with another port.
std::string database_url_on(std::uint16_t port) {
    static const std::regex port_part{R"(:(\d+)/)"};
    return std::regex_replace(required_env("TEST_POKI_PG_URL"), port_part,
                              ":" + std::to_string(port) + "/",
                              std::regex_constants::format_first_only);
}

std::string database_port() {
    std::smatch found;
    const auto url = required_env("TEST_POKI_PG_URL");
    static const std::regex port_part{R"(:(\d+)/)"};
    if (!std::regex_search(url, found, port_part)) {
        throw std::runtime_error{"TEST_POKI_PG_URL has no port: " + url};
    }
    return found[1].str();
}

TEST(Operations, ADatabaseThatComesUpLateIsWaitedFor) {
    const auto late_port = free_port();
    running_server server{
        {.extra = {{"database",
                    {{"url", database_url_on(late_port)}, {"connect_retry_ms", 30000}}}}},
        {},
        until::started};
    ASSERT_TRUE(eventually([&] { return contains(server.log(), "database not reachable yet"); }))
        << server.log();
    EXPECT_TRUE(server.process().running());

    const auto forwarder_script =
        std::filesystem::path{__FILE__}.parent_path().parent_path() / "support" / "tcp_forward.py";
    const child_process database_now_up{
        "python3", {forwarder_script.string(), std::to_string(late_port), database_port(), "60"}};
    server.wait_healthy(std::chrono::seconds{30});
    EXPECT_EQ(server.request("GET", "/readyz").status, 200) << server.log();
}

TEST(Operations, ADatabaseThatNeverComesUpEndsStartUpAfterTheBound) {
    running_server server{
        {.extra = {{"database",
                    {{"url", database_url_on(free_port())}, {"connect_retry_ms", 800}}}}},
        {},
        until::started};
    EXPECT_EQ(server.process().wait(std::chrono::seconds{15}), 1) << server.log();
    EXPECT_TRUE(contains(server.log(), "start-up failed")) << server.log();
}

/// What `systemd-analyze` says of the unit, run on a copy that starts the binary under test.
std::string analyze_unit(const std::vector<std::string>& args, int expected_exit) {
    const auto config_dir =
        std::filesystem::path{__FILE__}.parent_path().parent_path().parent_path() / "config";
    const auto dir = temp_dir("poki-unit");
    const auto unit = std::regex_replace(read_text(config_dir / "poki.service"),
                                         std::regex{"/usr/local/bin/poki"}, POKI_TEST_BINARY);
    std::ofstream{dir / "poki.service"} << unit;
    auto all = args;
    all.push_back((dir / "poki.service").string());
    child_process analyze{"systemd-analyze", all, {}, dir / "out.txt"};
    EXPECT_EQ(analyze.wait(std::chrono::seconds{30}), expected_exit);
    auto said = read_text(dir / "out.txt");
    std::filesystem::remove_all(dir);
    return said;
}

// The unit parses with every directive known to this systemd, its exposure stays low
// (systemd-analyze security: 0 is locked down, 10 wide open), its variables are keys, and a
// configuration error (exit 2) is not restarted into a loop.
TEST(Operations, TheSystemdUnitIsValidHardenedAndMatchesTheBinary) {
    EXPECT_EQ(analyze_unit({"verify", "--man=no"}, 0), "");
    const auto security = analyze_unit({"security", "--offline=true", "--threshold=20"}, 0);
    EXPECT_TRUE(contains(security, "Overall exposure level")) << security;

    const auto config_dir =
        std::filesystem::path{__FILE__}.parent_path().parent_path().parent_path() / "config";
    const auto unit = read_text(config_dir / "poki.service");
    EXPECT_TRUE(contains(unit, "\nType=notify\n"));
    EXPECT_TRUE(contains(unit, "\nRestartPreventExitStatus=2\n"));
    std::set<std::string> known;
    for (const auto& [key, variable] : config_keys()) {
        known.insert(variable);
    }
    const std::regex variable{R"(Environment=(POKI_[A-Z0-9_]+)=)"};
    int named = 0;
    for (auto it = std::sregex_iterator{unit.begin(), unit.end(), variable};
         it != std::sregex_iterator{}; ++it, ++named) {
        EXPECT_TRUE(known.contains((*it)[1].str())) << (*it)[1].str() << " is no key";
    }
    EXPECT_GE(named, 3);
    EXPECT_TRUE(contains(read_text(config_dir / "poki.sysusers"), "\nu poki "));
    EXPECT_TRUE(contains(unit, "\nUser=poki\n"));
}

}  // namespace
}  // namespace poki::test
