// The real poki binary on loopback, against the PostgreSQL and Redis of scripts/test.
#include <csignal>
#include <fstream>
#include <sstream>
#include <thread>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "support/running_server.hpp"
#include "support/test_support.hpp"

namespace poki::test {
namespace {

std::string valid_report() {
    return R"({"platform":"android","app_version":"2.3.1","message":"NullPointerException"})";
}

TEST(Server, HealthAndReadiness) {
    running_server server;
    const auto health = server.request("GET", "/healthz");
    EXPECT_EQ(health.status, 200);
    EXPECT_EQ(json_of(health)["status"], "ok");
    const auto ready = server.request("GET", "/readyz");
    EXPECT_EQ(ready.status, 200) << ready.body;
    EXPECT_EQ(json_of(ready)["checks"]["postgres"], "up");
    const auto meta = server.request("GET", "/api/v1/meta");
    EXPECT_EQ(meta.status, 200);
    EXPECT_GE(json_of(meta)["schema_version"].get<int>(), 1);
}

TEST(Server, StoresAValidReport) {
    running_server server;
    const auto r = server.request("POST", "/api/v1/client-errors", valid_report());
    ASSERT_EQ(r.status, 201) << r.body;
    EXPECT_GT(json_of(r)["id"].get<std::int64_t>(), 0);
}

TEST(Server, MalformedJsonIs400) {
    running_server server;
    expect_problem(server.request("POST", "/api/v1/client-errors", R"({"platform": "ios",)"), 400,
                   "bad_request");
}

TEST(Server, InvalidInputIs422NamingTheFields) {
    running_server server;
    const auto r =
        server.request("POST", "/api/v1/client-errors", R"({"platform":"symbian","message":42})");
    expect_problem(r, 422, "validation_failed");
    std::set<std::string> fields;
    const auto body = json_of(r);
    for (const auto& e : body["errors"]) {
        fields.insert(e["field"].get<std::string>());
    }
    EXPECT_EQ(fields, (std::set<std::string>{"platform", "app_version", "message"}));
}

TEST(Server, WrongMediaTypeIs415) {
    running_server server;
    expect_problem(server.request("POST", "/api/v1/client-errors", valid_report(),
                                  {{"Content-Type", "text/plain"}}),
                   415, "unsupported_media_type");
}

TEST(Server, OversizedBodyIs413) {
    running_server server{{.extra = {{"http", {{"max_body_bytes", 1024}}}}}};
    expect_problem(server.request("POST", "/api/v1/client-errors", std::string(4096, ' ')), 413,
                   "payload_too_large");
    // A chunked body over the limit is refused while it is being read.
    namespace beast = boost::beast;
    net::io_context ioc;
    beast::tcp_stream stream{ioc};
    stream.connect({net::ip::make_address("127.0.0.1"), server.port()});
    const std::string chunk(800, 'x');
    std::ostringstream raw;
    raw << "POST /api/v1/client-errors HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
           "Transfer-Encoding: chunked\r\n\r\n";
    for (int i = 0; i < 3; ++i) {
        raw << std::hex << chunk.size() << "\r\n" << chunk << "\r\n";
    }
    raw << "0\r\n\r\n";
    net::write(stream, net::buffer(raw.str()));
    beast::flat_buffer buffer;
    beast::http::response<beast::http::string_body> res;
    beast::http::read(stream, buffer, res);
    EXPECT_EQ(res.result_int(), 413);
}

TEST(Server, UnknownRouteIs404AndWrongMethodIs405) {
    running_server server;
    expect_problem(server.request("GET", "/api/v1/nothing-here"), 404, "not_found");
    const auto r = server.request("DELETE", "/api/v1/client-errors");
    expect_problem(r, 405, "method_not_allowed");
    EXPECT_EQ(r.header("allow"), "POST, OPTIONS");
    const auto options = server.request("OPTIONS", "/healthz");
    EXPECT_EQ(options.status, 204);
    EXPECT_EQ(options.header("allow"), "GET, HEAD, OPTIONS");
    const auto head = server.request("HEAD", "/healthz");
    EXPECT_EQ(head.status, 200);
    EXPECT_TRUE(head.body.empty());
}

TEST(Server, ReadyzFollowsRedis) {
    own_redis redis;
    running_server server{{.redis_port = redis.port()}};
    const auto wait_for = [&](int status) {
        (void)eventually([&] { return server.request("GET", "/readyz").status == status; },
                         std::chrono::seconds{6});
        return server.request("GET", "/readyz");
    };
    EXPECT_EQ(wait_for(200).status, 200);
    redis.stop();
    const auto down = wait_for(503);
    expect_problem(down, 503, "unavailable");
    EXPECT_EQ(json_of(down)["checks"]["redis"], "down");
    EXPECT_EQ(json_of(down)["checks"]["postgres"], "up");
    redis.start();
    EXPECT_EQ(wait_for(200).status, 200);
}

TEST(Server, SigtermLetsASlowRequestFinishThenExitsZero) {
    running_server server;
    namespace beast = boost::beast;
    net::io_context ioc;
    net::ip::tcp::socket socket{ioc};
    socket.connect({net::ip::make_address("127.0.0.1"), server.port()});
    const std::string head =
        "POST /api/v1/client-errors HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        "Content-Length: " +
        std::to_string(valid_report().size()) + "\r\n\r\n";
    const auto half = valid_report().size() / 2;
    net::write(socket, net::buffer(head + valid_report().substr(0, half)));
    std::this_thread::sleep_for(std::chrono::milliseconds{200});

    server.process().signal(SIGTERM);
    std::this_thread::sleep_for(std::chrono::milliseconds{300});
    EXPECT_TRUE(server.process().running()) << "exited while a request was in flight";
    // New connections are no longer accepted.
    EXPECT_THROW((void)http_request(server.port(), "GET", "/healthz"), std::exception);

    net::write(socket, net::buffer(valid_report().substr(half)));
    beast::flat_buffer buffer;
    beast::http::response<beast::http::string_body> res;
    beast::http::read(socket, buffer, res);
    EXPECT_EQ(res.result_int(), 201) << res.body();
    EXPECT_FALSE(res.keep_alive());
    EXPECT_EQ(server.process().wait(std::chrono::seconds{10}), 0) << server.log();
}

TEST(Server, SilentClientIsDisconnected) {
    running_server server{
        {.extra = {{"http", {{"idle_timeout_ms", 300}, {"header_timeout_ms", 300}}}}}};
    net::io_context ioc;
    net::ip::tcp::socket socket{ioc};
    socket.connect({net::ip::make_address("127.0.0.1"), server.port()});
    net::write(socket,
               net::buffer(std::string{"GET /healthz HTTP/1.1\r\nHost:"}));  // never finished
    const auto start = std::chrono::steady_clock::now();
    std::array<char, 64> buf{};
    boost::system::error_code ec;
    (void)socket.read_some(net::buffer(buf), ec);
    EXPECT_TRUE(ec == net::error::eof || ec == net::error::connection_reset) << ec.message();
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds{5});
}

TEST(Server, ConnectionLimitAnswers503) {
    running_server server{{.extra = {{"http", {{"max_connections", 2}}}}}};
    net::io_context ioc;
    net::ip::tcp::socket a{ioc};
    net::ip::tcp::socket b{ioc};
    // Hold two connections. On a loaded machine the health checks' sessions may not be gone
    // yet, so one of ours can be the refused one: it then has a 503 waiting, and reconnects.
    const net::ip::tcp::endpoint endpoint{net::ip::make_address("127.0.0.1"), server.port()};
    a.connect(endpoint);
    b.connect(endpoint);
    for (int i = 0; i < 50; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds{20});
        bool reconnected = false;
        for (auto* s : {&a, &b}) {
            if (s->available() > 0) {
                s->close();
                s->connect(endpoint);
                reconnected = true;
            }
        }
        if (!reconnected && i >= 2) {
            break;
        }
    }
    // The server accepts in the background; give it a bounded while to take both.
    auto refused = server.request("GET", "/healthz");
    for (int i = 0; i < 100 && refused.status != 503; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds{20});
        refused = server.request("GET", "/healthz");
    }
    expect_problem(refused, 503, "unavailable");
    EXPECT_EQ(refused.header("retry-after"), "1");
    a.close();
    b.close();
    std::this_thread::sleep_for(std::chrono::milliseconds{100});
    EXPECT_EQ(server.request("GET", "/healthz").status, 200);
}

TEST(Server, AccessLogHasOneLinePerRequestAndNoQueryStrings) {
    running_server server;
    (void)server.request("GET", "/healthz?ticket=SECRET-TICKET-123", {},
                         {{"X-Request-Id", "e2e-log-check"}});
    (void)server.request("POST", "/api/v1/client-errors", valid_report());
    std::string log;
    for (int i = 0; i < 100 && log.find("e2e-log-check") == std::string::npos; ++i) {
        std::this_thread::sleep_for(
            std::chrono::milliseconds{30});  // the logger flushes every second
        log = server.log();
    }
    server.process().signal(SIGTERM);
    (void)server.process().wait(std::chrono::seconds{10});
    log = server.log();
    std::istringstream lines{log};
    std::string line;
    int matching = 0;
    while (std::getline(lines, line)) {
        const auto entry = nlohmann::json::parse(line);  // every line is JSON
        if (entry["msg"] == "request" && entry["request_id"] == "e2e-log-check") {
            ++matching;
            EXPECT_EQ(entry["method"], "GET");
            EXPECT_EQ(entry["path"], "/healthz");
            EXPECT_EQ(entry["status"], 200);
            EXPECT_TRUE(entry.contains("duration_ms"));
        }
    }
    EXPECT_EQ(matching, 1) << log;
    EXPECT_EQ(log.find("SECRET-TICKET-123"), std::string::npos);
    EXPECT_EQ(log.find("NullPointerException"), std::string::npos);
}

TEST(Server, MetricsAreExposed) {
    running_server server;
    (void)server.request("GET", "/healthz");
    const auto r = server.request("GET", "/metrics");
    EXPECT_EQ(r.status, 200);
    for (const auto* name :
         {R"(poki_http_requests_total{route="/healthz",method="GET",status="200"})",
          "poki_http_request_duration_seconds_bucket", "poki_http_open_connections",
          "poki_db_pool_in_use", "poki_db_pool_waiting", "poki_redis_connected"}) {
        EXPECT_NE(r.body.find(name), std::string::npos) << name;
    }
}

TEST(Server, HttpsWithAGeneratedCertificate) {
    const auto dir = temp_dir("poki-tls");
    const auto cert = (dir / "cert.pem").string();
    const auto key = (dir / "key.pem").string();
    const auto command =
        "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 -keyout " + key +
        " -out " + cert + " >/dev/null 2>&1";
    ASSERT_EQ(std::system(command.c_str()), 0);  // NOLINT(concurrency-mt-unsafe,cert-env33-c)
    const auto tls_port = free_port();
    running_server server{
        {.extra = {
             {"tls",
              {{"enabled", true}, {"port", tls_port}, {"cert_file", cert}, {"key_file", key}}}}}};

    namespace beast = boost::beast;
    net::io_context ioc;
    net::ssl::context ctx{net::ssl::context::tls_client};
    ctx.load_verify_file(cert);
    ctx.set_verify_mode(net::ssl::verify_peer);
    beast::ssl_stream<beast::tcp_stream> stream{ioc, ctx};
    beast::get_lowest_layer(stream).expires_after(std::chrono::seconds{10});
    beast::get_lowest_layer(stream).connect({net::ip::make_address("127.0.0.1"), tls_port});
    stream.handshake(net::ssl::stream_base::client);
    beast::http::request<beast::http::empty_body> req{beast::http::verb::get, "/healthz", 11};
    req.set(beast::http::field::host, "127.0.0.1");
    beast::http::write(stream, req);
    beast::flat_buffer buffer;
    beast::http::response<beast::http::string_body> res;
    beast::http::read(stream, buffer, res);
    EXPECT_EQ(res.result_int(), 200);
    EXPECT_EQ(nlohmann::json::parse(res.body())["status"], "ok");
    EXPECT_EQ(res[beast::http::field::strict_transport_security], "max-age=31536000");
    std::filesystem::remove_all(dir);
}

TEST(Server, ServesTheWebAppBesideTheApi) {
    const auto root = temp_dir("poki-web-root");
    std::filesystem::create_directories(root / "assets");
    std::ofstream{root / "index.html"} << "<!doctype html><title>포키</title>";
    std::ofstream{root / "assets" / "app-ABCDEFGH.js"} << "export {};";
    running_server server{{.extra = {{"web", {{"root", root.string()}}}}}};
    const auto page = server.request("GET", "/missions/12");
    EXPECT_EQ(page.status, 200);
    EXPECT_EQ(page.body, "<!doctype html><title>포키</title>");
    EXPECT_NE(page.header("content-security-policy").find("frame-ancestors 'none'"),
              std::string::npos);
    const auto script = server.request("GET", "/assets/app-ABCDEFGH.js");
    EXPECT_EQ(script.header("cache-control"), "public, max-age=31536000, immutable");
    EXPECT_EQ(server
                  .request("GET", "/assets/app-ABCDEFGH.js", {},
                           {{"If-None-Match", script.header("etag")}})
                  .status,
              304);
    expect_problem(server.request("GET", "/api/v1/nothing"), 404, "not_found");
    expect_problem(server.request("GET", "/%2e%2e/%2e%2e/etc/passwd"), 404, "not_found");
    EXPECT_EQ(server.request("GET", "/api/v1/meta").status, 200);
    EXPECT_NE(server.log().find("web app loaded"), std::string::npos);
    std::filesystem::remove_all(root);
}

TEST(Server, RefusesAWebRootWithoutTheApp) {
    const auto dir = temp_dir("poki-badweb");
    std::ofstream{dir / "poki.json"} << nlohmann::json{
        {"web", {{"root", (dir / "none").string()}}},
        {"mode", "development"}}.dump();
    child_process process{
        POKI_TEST_BINARY, {"serve", "--config", (dir / "poki.json").string()}, {}, dir / "out.log"};
    EXPECT_EQ(process.wait(std::chrono::seconds{10}), 2);
    std::ifstream in{dir / "out.log"};
    std::stringstream text;
    text << in.rdbuf();
    EXPECT_NE(text.str().find("web.root"), std::string::npos) << text.str();
    std::filesystem::remove_all(dir);
}

TEST(Server, RefusesAnUnknownConfigKey) {
    const auto dir = temp_dir("poki-badcfg");
    std::ofstream{dir / "bad.json"} << R"({"http": {"prot": 8080}})";
    child_process process{
        POKI_TEST_BINARY, {"serve", "--config", (dir / "bad.json").string()}, {}, dir / "out.log"};
    EXPECT_EQ(process.wait(std::chrono::seconds{10}), 2);
    std::ifstream in{dir / "out.log"};
    std::stringstream text;
    text << in.rdbuf();
    EXPECT_NE(text.str().find("unknown key 'http.prot'"), std::string::npos) << text.str();
    std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace poki::test
