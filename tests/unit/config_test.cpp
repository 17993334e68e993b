#include "poki/core/config.hpp"

#include <fstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace poki {
namespace {

std::string error_of(const nlohmann::json& doc, const environment& env = {}) {
    try {
        (void)load_config(doc, env);
    } catch (const config_error& e) {
        return e.what();
    }
    return "";
}

TEST(Config, DefaultsAreUsable) {
    const auto c = load_config(nullptr, {});
    EXPECT_EQ(c.http.address, "127.0.0.1");
    EXPECT_EQ(c.http.port, 8080);
    EXPECT_FALSE(c.tls.enabled);
}

TEST(Config, ReadsNestedKeys) {
    const auto c = load_config(nlohmann::json::parse(R"({
        "http": {"port": 9000, "max_body_bytes": 2048, "idle_timeout_ms": 1500},
        "database": {"url": "postgresql://x@127.0.0.1/y", "pool_size": 4},
        "redis": {"port": 6380}, "log": {"level": "debug", "access_log": false}})"),
                               {});
    EXPECT_EQ(c.http.port, 9000);
    EXPECT_EQ(c.http.max_body_bytes, 2048U);
    EXPECT_EQ(c.http.idle_timeout, milliseconds{1500});
    EXPECT_EQ(c.database.pool_size, 4);
    EXPECT_EQ(c.redis.port, 6380);
    EXPECT_EQ(c.log.level, "debug");
    EXPECT_FALSE(c.log.access_log);
}

TEST(Config, EnvironmentOverridesFile) {
    const auto c = load_config(nlohmann::json::parse(R"({"http": {"port": 9000}})"),
                               {{"POKI_HTTP_PORT", "9100"},
                                {"POKI_DATABASE_POOL_SIZE", "3"},
                                {"POKI_LOG_ACCESS_LOG", "off"},
                                {"POKI_CONFIG", "/etc/poki.json"},
                                {"HOME", "/root"}});
    EXPECT_EQ(c.http.port, 9100);
    EXPECT_EQ(c.database.pool_size, 3);
    EXPECT_FALSE(c.log.access_log);
}

TEST(Config, UnknownKeyIsNamed) {
    EXPECT_EQ(error_of(nlohmann::json::parse(R"({"http": {"prot": 1}})")),
              "config: unknown key 'http.prot'");
    EXPECT_EQ(error_of(nlohmann::json::parse(R"({"cache": 1})")), "config: unknown key 'cache'");
}

// Orchestrators set POKI_PORT, POKI_REDIS_PORT and the like for services named like the app:
// they are noted for a warning, not a reason to stop; strict mode refuses them by name.
TEST(Config, UnknownVariablesAreNotedOrRefusedWhenStrict) {
    const environment env{
        {"POKI_HTTP_PROT", "1"}, {"POKI_PORT", "tcp://10.0.0.7:8080"}, {"POKI_HTTP_PORT", "9100"}};
    const auto lenient = load_config(nullptr, env);
    EXPECT_EQ(lenient.http.port, 9100);
    EXPECT_EQ(lenient.unknown_variables, (std::vector<std::string>{"POKI_HTTP_PROT", "POKI_PORT"}));

    auto strict = env;
    // Named after the others in the map's order, and still in force for them.
    strict.emplace("POKI_STRICT_ENVIRONMENT", "true");
    EXPECT_EQ(error_of(nullptr, strict),
              "config: unknown environment variable POKI_HTTP_PROT (strict_environment is on)");
    EXPECT_EQ(
        error_of(nlohmann::json::parse(R"({"strict_environment": true})"), {{"POKI_PORT", "1"}}),
        "config: unknown environment variable POKI_PORT (strict_environment is on)");
    EXPECT_TRUE(load_config(nlohmann::json::parse(R"({"strict_environment": true})"),
                            {{"POKI_HTTP_PORT", "9100"}})
                    .unknown_variables.empty());
}

TEST(Config, BadValuesAreNamed) {
    EXPECT_NE(error_of(nlohmann::json::parse(R"({"http": {"port": "eighty"}})")).find("http.port"),
              std::string::npos);
    EXPECT_NE(error_of(nlohmann::json::parse(R"({"http": {"port": 70000}})")).find("http.port"),
              std::string::npos);
    EXPECT_NE(error_of(nlohmann::json::parse(R"({"http": {"port": -1}})")).find("http.port"),
              std::string::npos);
    EXPECT_NE(error_of(nullptr, {{"POKI_HTTP_PORT", "80x"}}).find("POKI_HTTP_PORT"),
              std::string::npos);
    EXPECT_NE(error_of(nullptr, {{"POKI_TLS_ENABLED", "maybe"}}).find("POKI_TLS_ENABLED"),
              std::string::npos);
    EXPECT_NE(error_of(nlohmann::json::parse(R"({"database": {"pool_size": 0}})"))
                  .find("database.pool_size"),
              std::string::npos);
    EXPECT_NE(error_of(nlohmann::json::parse(R"({"log": {"level": "loud"}})")).find("log.level"),
              std::string::npos);
    EXPECT_NE(
        error_of(nlohmann::json::parse(R"({"tls": {"enabled": true}})")).find("tls.cert_file"),
        std::string::npos);
    EXPECT_NE(error_of(nlohmann::json::parse("[1]")).find("JSON object"), std::string::npos);
}

TEST(Config, EnvironmentNames) {
    EXPECT_EQ(env_name_for("database.pool_size"), "POKI_DATABASE_POOL_SIZE");
    EXPECT_FALSE(config_keys().empty());
}

}  // namespace
}  // namespace poki

namespace poki {
namespace {

TEST(Config, TheExampleFileNamesEveryKeyAndLoads) {
    const std::string path = std::string{POKI_TEST_SQL_DIR} + "/../config/poki.example.json";
    const auto cfg = load_config_file(path, {});
    EXPECT_EQ(cfg.events.retention_days, 30);
    EXPECT_FALSE(cfg.push.send_endpoint.empty());
    // Operators copy this file: it should show every key there is.
    std::ifstream in{path};
    const auto doc = nlohmann::json::parse(in);
    for (const auto& [key, help] : config_keys()) {
        const auto dot = key.find('.');
        const bool present = dot == std::string::npos
                                 ? doc.contains(key)
                                 : doc.contains(key.substr(0, dot)) &&
                                       doc[key.substr(0, dot)].contains(key.substr(dot + 1));
        EXPECT_TRUE(present) << key << " is missing from config/poki.example.json";
    }
}

TEST(Config, EventAndPushLimitsAreChecked) {
    EXPECT_THROW((void)load_config({{"events", {{"heartbeat_s", 0}}}}, {}), config_error);
    EXPECT_THROW((void)load_config({{"events", {{"stream_queue_bytes", 100}}}}, {}), config_error);
    EXPECT_THROW((void)load_config({{"push", {{"max_attempts", 0}}}}, {}), config_error);
    const auto cfg = load_config({}, {{"POKI_EVENTS_PUBLISH", "false"}});
    EXPECT_FALSE(cfg.events.publish);
}

}  // namespace
}  // namespace poki
