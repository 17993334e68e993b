// A restart without a dropped request: `poki handover` starts a new server on the same port
// while the old one serves, and the old one drains only once the new one is ready. Clients
// keep going through it (fresh connections, a keep-alive connection, writes), an event
// stream resumes on the new server without a gap, and the service manager hears the new
// main pid and keeps getting watchdog pings from it.
#include <atomic>
#include <csignal>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "support/family_api.hpp"
#include "support/notify_socket.hpp"
#include "support/running_server.hpp"
#include "support/sse_client.hpp"
#include "support/test_support.hpp"

namespace poki::test {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

std::string read_text(const std::filesystem::path& file) {
    std::ifstream in{file};
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

bool contains_text(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

/// A request whose connection failed is a status of 0, not an exception.
http_reply attempt(std::uint16_t port, const std::string& method, const std::string& target,
                   const std::string& body = {},
                   const std::map<std::string, std::string>& headers = {}) {
    try {
        return http_request(port, method, target, body, headers);
    } catch (const std::exception& e) {
        return {0, {}, e.what()};
    }
}

/// Both servers of a hand-over share the port; the old one winds down for 300 ms.
nlohmann::json handover_ready() {
    return {{"http", {{"reuse_port", true}, {"unready_delay_ms", 300}}}};
}

/// `poki handover --pid OLD --config OLD's file`, its output (both streams) in a file.
class handover_command {
  public:
    handover_command(running_server& old, const std::map<std::string, std::string>& env = {})
        : output_{old.dir() / "handover.log"}
        , pid_file_{old.dir() / "new.pid"}
        , process_{POKI_TEST_BINARY,
                   {"handover", "--pid", std::to_string(old.process().pid()), "--config",
                    (old.dir() / "poki.json").string(), "--timeout-ms", "20000", "--pid-file",
                    pid_file_.string()},
                   env,
                   output_} {}
    ~handover_command() {
        // The new server is not our child: it lives in a session of its own.
        if (const auto pid = new_pid(); pid > 0) {
            ::kill(pid, SIGKILL);
        }
    }
    handover_command(const handover_command&) = delete;
    handover_command& operator=(const handover_command&) = delete;

    std::optional<int> wait(milliseconds timeout) { return process_.wait(timeout); }
    [[nodiscard]] std::string output() const { return read_text(output_); }
    /// The new server's pid from --pid-file, or 0 while there is none.
    [[nodiscard]] int new_pid() const {
        const auto text = read_text(pid_file_);
        return text.empty() ? 0 : std::stoi(text);
    }

  private:
    std::filesystem::path output_;
    std::filesystem::path pid_file_;
    child_process process_;
};

/// One keep-alive connection, as an HTTP client library keeps it: a new connection when the
/// server said `Connection: close`, and one retry when a reused connection turned out to be
/// closed before any byte of the answer came (RFC 9112, 9.3.1). Retries are counted.
class keep_alive_client {
  public:
    explicit keep_alive_client(std::uint16_t port) : port_{port} {}

    /// The status, or 0 when the request failed.
    int get(const std::string& target, const std::string& token) {
        for (int attempt = 0; attempt < 2; ++attempt) {
            const bool reused = socket_.has_value();
            if (!socket_) {
                socket_.emplace(ioc_);
                boost::system::error_code ec;
                socket_->connect({net::ip::make_address("127.0.0.1"), port_}, ec);
                if (ec) {
                    socket_.reset();
                    return 0;
                }
            }
            namespace http = boost::beast::http;
            http::request<http::empty_body> req{http::verb::get, target, 11};
            req.set(http::field::host, "127.0.0.1");
            req.set(http::field::authorization, "Bearer " + token);
            boost::system::error_code ec;
            http::write(*socket_, req, ec);
            boost::beast::flat_buffer buffer;
            http::response<http::string_body> res;
            if (!ec) {
                http::read(*socket_, buffer, res, ec);
            }
            if (ec) {
                socket_.reset();
                if (reused && buffer.size() == 0) {
                    ++retries;
                    continue;
                }
                return 0;
            }
            if (!res.keep_alive()) {
                socket_.reset();
            }
            return static_cast<int>(res.result_int());
        }
        return 0;
    }

    int retries = 0;

  private:
    std::uint16_t port_;
    net::io_context ioc_;
    std::optional<net::ip::tcp::socket> socket_;
};

struct load_tally {
    std::atomic<int> answered{0};
    std::atomic<int> failed{0};
    std::mutex mutex;
    std::vector<std::string> failures;
    std::set<std::int64_t> sent_messages;

    void fail(const std::string& what) {
        ++failed;
        const std::lock_guard lock{mutex};
        if (failures.size() < 10) {
            failures.push_back(what);
        }
    }
};

/// The kid's chat.message events after `from`: (seq, message id), read until `stream` ends.
void collect_messages(sse_client& stream, std::vector<std::pair<std::int64_t, std::int64_t>>& out,
                      milliseconds quiet) {
    while (const auto m = stream.next(quiet)) {
        if (m->type == "chat.message") {
            out.emplace_back(std::stoll(m->id), nlohmann::json::parse(m->data)["message"]["id"]);
        }
    }
}

TEST(Handover, ANewServerTakesOverWithoutAFailedRequestAndAStreamResumesWithoutAGap) {
    running_server old{{.extra = handover_ready()}};
    const auto mom = parent(old);
    const auto kid = child(old, mom);
    const auto room = family_room(old, mom);
    auto stream = std::make_unique<sse_client>(old.port(), "/api/v1/events", bearer(kid.access));
    ASSERT_EQ(stream->status(), 200);

    load_tally tally;
    std::atomic<bool> stop{false};
    const auto port = old.port();
    std::vector<std::jthread> clients;
    // Fresh connections: each is steered to whichever server should get it now.
    clients.emplace_back([&] {
        while (!stop) {
            const auto r = attempt(port, "GET", "/api/v1/meta");
            if (r.status == 200) {
                ++tally.answered;
            } else {
                tally.fail("meta " + std::to_string(r.status) + " " + r.body);
            }
        }
    });
    // Writes: every message answered 201 must be delivered to the kid's stream once.
    clients.emplace_back([&] {
        while (!stop) {
            const auto r = attempt(
                port, "POST", "/api/v1/chat/rooms/" + std::to_string(room) + "/messages",
                nlohmann::json{{"client_id", new_uuid()}, {"text", "다녀올게"}}.dump(),
                {{"Content-Type", "application/json"}, {"Authorization", "Bearer " + mom.access}});
            if (r.status == 201) {
                ++tally.answered;
                const std::lock_guard lock{tally.mutex};
                tally.sent_messages.insert(json_of(r)["id"].get<std::int64_t>());
            } else {
                tally.fail("send " + std::to_string(r.status) + " " + r.body);
            }
        }
    });
    // A keep-alive connection, busy all through.
    keep_alive_client reader{port};
    clients.emplace_back([&] {
        while (!stop) {
            const auto status = reader.get("/api/v1/chat/rooms", kid.access);
            if (status == 200) {
                ++tally.answered;
            } else {
                tally.fail("rooms " + std::to_string(status));
            }
        }
    });

    ASSERT_TRUE(eventually([&] { return tally.answered > 50; }));
    handover_command handover{old};
    ASSERT_EQ(handover.wait(seconds{30}), 0) << handover.output() << old.log();
    const auto answered_before_end = tally.answered.load();
    EXPECT_EQ(old.process().wait(seconds{10}), 0) << old.log();
    const auto new_pid = handover.new_pid();
    ASSERT_GT(new_pid, 0) << handover.output();
    EXPECT_NE(new_pid, old.process().pid());
    // The new server alone serves for a while longer.
    ASSERT_TRUE(eventually([&] { return tally.answered > answered_before_end + 100; }));
    stop = true;
    clients.clear();

    EXPECT_EQ(tally.failed.load(), 0) << ::testing::PrintToString(tally.failures);
    EXPECT_EQ(reader.retries, 0) << "the keep-alive client had to resend a request";
    EXPECT_TRUE(eventually([&] { return contains_text(handover.output(), "took over"); }))
        << handover.output();

    // The old server ended the stream as it drained; the client resumes from its last id.
    std::vector<std::pair<std::int64_t, std::int64_t>> seen;
    collect_messages(*stream, seen, milliseconds{15000});
    EXPECT_TRUE(stream->closed());
    const auto last = seen.empty() ? std::string{"0"} : std::to_string(seen.back().first);
    auto resumed = bearer(kid.access);
    resumed["Last-Event-ID"] = last;
    stream = std::make_unique<sse_client>(port, "/api/v1/events", resumed);
    ASSERT_EQ(stream->status(), 200);
    collect_messages(*stream, seen, milliseconds{1500});

    std::set<std::int64_t> delivered;
    for (std::size_t i = 0; i < seen.size(); ++i) {
        if (i > 0) {
            EXPECT_EQ(seen[i].first, seen[i - 1].first + 1) << "a gap or a repeat in the stream";
        }
        EXPECT_TRUE(delivered.insert(seen[i].second).second) << "message twice";
    }
    EXPECT_EQ(delivered, tally.sent_messages);
}

TEST(Handover, TheManagerHearsTheNewMainPidAndItsWatchdogPings) {
    notify_socket manager;
    running_server old{{.extra = handover_ready()},
                       {{"NOTIFY_SOCKET", manager.name()}, {"WATCHDOG_USEC", "300000"}}};
    const auto first = manager.next_state(milliseconds{5000});
    ASSERT_TRUE(first.has_value());
    ASSERT_NE(first->find("MAINPID=" + std::to_string(old.process().pid())), std::string::npos);

    // systemd gives ExecReload NOTIFY_SOCKET but no watchdog of its own.
    handover_command handover{old, {{"NOTIFY_SOCKET", manager.name()}}};
    const auto next = manager.next_state(milliseconds{15000});
    ASSERT_TRUE(next.has_value()) << handover.output();
    ASSERT_EQ(handover.wait(seconds{30}), 0) << handover.output();
    const auto new_pid = handover.new_pid();
    EXPECT_NE(next->find("READY=1"), std::string::npos) << *next;
    EXPECT_NE(next->find("MAINPID=" + std::to_string(new_pid)), std::string::npos) << *next;
    const auto stopping = manager.next_state(milliseconds{5000});
    ASSERT_TRUE(stopping.has_value());
    EXPECT_NE(stopping->find("STOPPING=1"), std::string::npos) << *stopping;
    EXPECT_EQ(old.process().wait(seconds{10}), 0) << old.log();

    // The old one is gone: every ping now is the new one's, at half the old one's timeout.
    while (manager.next(milliseconds{10})) {
    }
    int pings = 0;
    const auto until = std::chrono::steady_clock::now() + milliseconds{1000};
    while (std::chrono::steady_clock::now() < until) {
        if (const auto m = manager.next(milliseconds{50}); m && *m == "WATCHDOG=1") {
            ++pings;
        }
    }
    EXPECT_GE(pings, 4) << handover.output();
    EXPECT_EQ(http_request(old.port(), "GET", "/healthz").status, 200);
}

TEST(Handover, ANewServerThatCannotServeLeavesTheOldOneServing) {
    // Without reuse_port the new server refuses to start (it could not share the port).
    running_server old;
    handover_command handover{old};
    EXPECT_EQ(handover.wait(seconds{30}), 1) << handover.output();
    EXPECT_TRUE(contains_text(handover.output(), "http.reuse_port")) << handover.output();
    EXPECT_TRUE(contains_text(handover.output(), "still serves")) << handover.output();
    EXPECT_TRUE(old.process().running());
    EXPECT_EQ(old.request("GET", "/readyz").status, 200);
}

TEST(Handover, RefusesAProcessThatIsNoPokiServer) {
    const auto dir = temp_dir("poki-handover");
    child_process handover{
        POKI_TEST_BINARY, {"handover", "--pid", std::to_string(::getpid())}, {}, dir / "out.txt"};
    EXPECT_EQ(handover.wait(seconds{10}), 2);
    EXPECT_TRUE(contains_text(read_text(dir / "out.txt"), "not a poki server"))
        << read_text(dir / "out.txt");
    std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace poki::test
