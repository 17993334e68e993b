#include "poki/core/config.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <fstream>
#include <functional>
#include <limits>
#include <sstream>

#include <nlohmann/json.hpp>

#include "poki/core/comma_list.hpp"

extern char** environ;  // NOLINT(readability-redundant-declaration): POSIX, not in a header

namespace poki {
namespace {

/// Parses one value of type T from its environment text; returns an error message or "".
template <class T>
std::string parse_text(std::string_view text, T& out) {
    if constexpr (std::is_same_v<T, std::string>) {
        out = std::string{text};
        return {};
    } else if constexpr (std::is_same_v<T, bool>) {
        if (text == "true" || text == "1" || text == "yes" || text == "on") {
            out = true;
        } else if (text == "false" || text == "0" || text == "no" || text == "off") {
            out = false;
        } else {
            return "expected true or false";
        }
        return {};
    } else if constexpr (std::is_same_v<T, milliseconds>) {
        std::int64_t count = 0;
        if (auto e = parse_text(text, count); !e.empty()) {
            return "expected a whole number of milliseconds";
        }
        if (count < 0) {
            return "expected a non-negative number of milliseconds";
        }
        out = milliseconds{count};
        return {};
    } else {
        static_assert(std::is_integral_v<T>);
        T value{};
        const auto* end = text.data() + text.size();
        const auto [ptr, ec] = std::from_chars(text.data(), end, value);
        if (ec != std::errc{} || ptr != end || text.empty()) {
            return "expected an integer between " + std::to_string(std::numeric_limits<T>::min()) +
                   " and " + std::to_string(std::numeric_limits<T>::max());
        }
        out = value;
        return {};
    }
}

template <class T>
std::string parse_json(const nlohmann::json& value, T& out) {
    if constexpr (std::is_same_v<T, std::string>) {
        if (!value.is_string()) {
            return "expected a string";
        }
        out = value.get<std::string>();
        return {};
    } else if constexpr (std::is_same_v<T, bool>) {
        if (!value.is_boolean()) {
            return "expected true or false";
        }
        out = value.get<bool>();
        return {};
    } else if constexpr (std::is_same_v<T, milliseconds>) {
        if (!value.is_number_integer() || value.get<std::int64_t>() < 0) {
            return "expected a non-negative whole number of milliseconds";
        }
        out = milliseconds{value.get<std::int64_t>()};
        return {};
    } else {
        if (!value.is_number_integer()) {
            return "expected an integer";
        }
        // Compare through the widest types so no conversion wraps silently.
        const bool negative = value.is_number_integer() && !value.is_number_unsigned() &&
                              value.get<std::int64_t>() < 0;
        if (negative ? (std::numeric_limits<T>::min() == 0 ||
                        value.get<std::int64_t>() <
                            static_cast<std::int64_t>(std::numeric_limits<T>::min()))
                     : value.get<std::uint64_t>() >
                           static_cast<std::uint64_t>(std::numeric_limits<T>::max())) {
            return "expected an integer between " + std::to_string(std::numeric_limits<T>::min()) +
                   " and " + std::to_string(std::numeric_limits<T>::max());
        }
        out = value.get<T>();
        return {};
    }
}

struct field_spec {
    std::string key;
    std::function<std::string(config&, const nlohmann::json&)> from_json;
    std::function<std::string(config&, std::string_view)> from_text;
};

template <class Access>
field_spec field(std::string key, Access access) {
    return field_spec{
        std::move(key),
        [access](config& c, const nlohmann::json& v) { return parse_json(v, access(c)); },
        [access](config& c, std::string_view t) { return parse_text(t, access(c)); },
    };
}

const std::vector<field_spec>& fields() {
    // Built once; the table is immutable after construction.
    static const std::vector<field_spec> table{
        field(
            "mode", [](config & c) -> auto& { return c.mode; }),
        field(
            "strict_environment", [](config & c) -> auto& { return c.strict_environment; }),
        field(
            "http.address", [](config & c) -> auto& { return c.http.address; }),
        field(
            "http.port", [](config & c) -> auto& { return c.http.port; }),
        field(
            "http.threads", [](config & c) -> auto& { return c.http.threads; }),
        field(
            "http.max_body_bytes", [](config & c) -> auto& { return c.http.max_body_bytes; }),
        field(
            "http.max_header_bytes", [](config & c) -> auto& { return c.http.max_header_bytes; }),
        field(
            "http.max_connections", [](config & c) -> auto& { return c.http.max_connections; }),
        field(
            "http.idle_timeout_ms", [](config & c) -> auto& { return c.http.idle_timeout; }),
        field(
            "http.header_timeout_ms", [](config & c) -> auto& { return c.http.header_timeout; }),
        field(
            "http.body_timeout_ms", [](config & c) -> auto& { return c.http.body_timeout; }),
        field(
            "http.write_timeout_ms", [](config & c) -> auto& { return c.http.write_timeout; }),
        field(
            "http.trusted_proxies", [](config & c) -> auto& { return c.http.trusted_proxies; }),
        field(
            "http.allowed_origins", [](config & c) -> auto& { return c.http.allowed_origins; }),
        field(
            "http.drain_timeout_ms", [](config & c) -> auto& { return c.http.drain_timeout; }),
        field(
            "http.unready_delay_ms", [](config & c) -> auto& { return c.http.unready_delay; }),
        field(
            "http.reuse_port", [](config & c) -> auto& { return c.http.reuse_port; }),
        field(
            "metrics.address", [](config & c) -> auto& { return c.metrics.address; }),
        field(
            "metrics.port", [](config & c) -> auto& { return c.metrics.port; }),
        field(
            "web.root", [](config & c) -> auto& { return c.web.root; }),
        field(
            "calls.stun_urls", [](config & c) -> auto& { return c.calls.stun_urls; }),
        field(
            "calls.turn_urls", [](config & c) -> auto& { return c.calls.turn_urls; }),
        field(
            "calls.turn_secret", [](config & c) -> auto& { return c.calls.turn_secret; }),
        field(
            "calls.turn_secret_file", [](config & c) -> auto& { return c.calls.turn_secret_file; }),
        field(
            "calls.turn_credential_ttl_s",
            [](config & c) -> auto& { return c.calls.turn_credential_ttl_s; }),
        field(
            "calls.ice_transport_policy",
            [](config & c) -> auto& { return c.calls.ice_transport_policy; }),
        field(
            "calls.ring_timeout_s", [](config & c) -> auto& { return c.calls.ring_timeout_s; }),
        field(
            "calls.reconnect_grace_s",
            [](config & c) -> auto& { return c.calls.reconnect_grace_s; }),
        field(
            "calls.max_held_signals", [](config & c) -> auto& { return c.calls.max_held_signals; }),
        field(
            "calls.sweep_ms", [](config & c) -> auto& { return c.calls.sweep_ms; }),
        field(
            "ws.ping_interval_s", [](config & c) -> auto& { return c.ws.ping_interval_s; }),
        field(
            "ws.max_message_bytes", [](config & c) -> auto& { return c.ws.max_message_bytes; }),
        field(
            "ws.max_queued_bytes", [](config & c) -> auto& { return c.ws.max_queued_bytes; }),
        field(
            "ws.max_connections_per_user",
            [](config & c) -> auto& { return c.ws.max_connections_per_user; }),
        field(
            "ws.max_errors_per_minute",
            [](config & c) -> auto& { return c.ws.max_errors_per_minute; }),
        field(
            "presence.heartbeat_s", [](config & c) -> auto& { return c.presence.heartbeat_s; }),
        field(
            "presence.offline_grace_ms",
            [](config & c) -> auto& { return c.presence.offline_grace; }),
        field(
            "ideas.provider_url", [](config & c) -> auto& { return c.ideas.provider_url; }),
        field(
            "ideas.model", [](config & c) -> auto& { return c.ideas.model; }),
        field(
            "ideas.api_key", [](config & c) -> auto& { return c.ideas.api_key; }),
        field(
            "ideas.api_key_file", [](config & c) -> auto& { return c.ideas.api_key_file; }),
        field(
            "ideas.ca_file", [](config & c) -> auto& { return c.ideas.ca_file; }),
        field(
            "ideas.request_timeout_ms",
            [](config & c) -> auto& { return c.ideas.request_timeout; }),
        field(
            "ideas.stream_idle_timeout_ms",
            [](config & c) -> auto& { return c.ideas.stream_idle_timeout; }),
        field(
            "ideas.pool_size", [](config & c) -> auto& { return c.ideas.pool_size; }),
        field(
            "ideas.max_tags", [](config & c) -> auto& { return c.ideas.max_tags; }),
        field(
            "ideas.ttl_s", [](config & c) -> auto& { return c.ideas.ttl_s; }),
        field(
            "ideas.max_ttl_s", [](config & c) -> auto& { return c.ideas.max_ttl_s; }),
        field(
            "ideas.half_life_s", [](config & c) -> auto& { return c.ideas.half_life_s; }),
        field(
            "ideas.fill_wait_ms", [](config & c) -> auto& { return c.ideas.fill_wait; }),
        field(
            "ideas.near_cache_ms", [](config & c) -> auto& { return c.ideas.near_cache; }),
        field(
            "ideas.backoff_base_ms", [](config & c) -> auto& { return c.ideas.backoff_base; }),
        field(
            "ideas.backoff_max_ms", [](config & c) -> auto& { return c.ideas.backoff_max; }),
        field(
            "ideas.family_calls_per_hour",
            [](config & c) -> auto& { return c.ideas.family_calls_per_hour; }),
        field(
            "tls.enabled", [](config & c) -> auto& { return c.tls.enabled; }),
        field(
            "tls.address", [](config & c) -> auto& { return c.tls.address; }),
        field(
            "tls.port", [](config & c) -> auto& { return c.tls.port; }),
        field(
            "tls.cert_file", [](config & c) -> auto& { return c.tls.cert_file; }),
        field(
            "tls.key_file", [](config & c) -> auto& { return c.tls.key_file; }),
        field(
            "database.url", [](config & c) -> auto& { return c.database.url; }),
        field(
            "database.pool_size", [](config & c) -> auto& { return c.database.pool_size; }),
        field(
            "database.pipeline_connections",
            [](config & c) -> auto& { return c.database.pipeline_connections; }),
        field(
            "database.acquire_timeout_ms",
            [](config & c) -> auto& { return c.database.acquire_timeout; }),
        field(
            "database.connect_timeout_ms",
            [](config & c) -> auto& { return c.database.connect_timeout; }),
        field(
            "database.statement_timeout_ms",
            [](config & c) -> auto& { return c.database.statement_timeout; }),
        field(
            "database.query_timeout_ms",
            [](config & c) -> auto& { return c.database.query_timeout; }),
        field(
            "database.migrations_dir",
            [](config & c) -> auto& { return c.database.migrations_dir; }),
        field(
            "database.migrate_on_start",
            [](config & c) -> auto& { return c.database.migrate_on_start; }),
        field(
            "database.connect_retry_ms",
            [](config & c) -> auto& { return c.database.connect_retry; }),
        field(
            "redis.host", [](config & c) -> auto& { return c.redis.host; }),
        field(
            "redis.port", [](config & c) -> auto& { return c.redis.port; }),
        field(
            "redis.password", [](config & c) -> auto& { return c.redis.password; }),
        field(
            "redis.database", [](config & c) -> auto& { return c.redis.database; }),
        field(
            "redis.command_timeout_ms",
            [](config & c) -> auto& { return c.redis.command_timeout; }),
        field(
            "redis.reconnect_min_ms", [](config & c) -> auto& { return c.redis.reconnect_min; }),
        field(
            "redis.reconnect_max_ms", [](config & c) -> auto& { return c.redis.reconnect_max; }),
        field(
            "log.level", [](config & c) -> auto& { return c.log.level; }),
        field(
            "log.access_log", [](config & c) -> auto& { return c.log.access_log; }),
        field(
            "auth.jwt_secret", [](config & c) -> auto& { return c.auth.jwt_secret; }),
        field(
            "auth.jwt_secret_file", [](config & c) -> auto& { return c.auth.jwt_secret_file; }),
        field(
            "auth.revocation_poll_ms",
            [](config & c) -> auto& { return c.auth.revocation_poll_ms; }),
        field(
            "auth.jwt_key_id", [](config & c) -> auto& { return c.auth.jwt_key_id; }),
        field(
            "auth.jwt_previous_keys", [](config & c) -> auto& { return c.auth.jwt_previous_keys; }),
        field(
            "auth.access_ttl_s", [](config & c) -> auto& { return c.auth.access_ttl_s; }),
        field(
            "auth.refresh_ttl_s", [](config & c) -> auto& { return c.auth.refresh_ttl_s; }),
        field(
            "auth.login_attempts_per_account",
            [](config & c) -> auto& { return c.auth.login_attempts_per_account; }),
        field(
            "auth.login_attempts_per_address",
            [](config & c) -> auto& { return c.auth.login_attempts_per_address; }),
        field(
            "auth.login_window_s", [](config & c) -> auto& { return c.auth.login_window_s; }),
        field(
            "auth.scrypt_log2_n", [](config & c) -> auto& { return c.auth.scrypt_log2_n; }),
        field(
            "auth.hash_threads", [](config & c) -> auto& { return c.auth.hash_threads; }),
        field(
            "auth.hash_queue_limit", [](config & c) -> auto& { return c.auth.hash_queue_limit; }),
        field(
            "devices.stale_after_days",
            [](config & c) -> auto& { return c.devices.stale_after_days; }),
        field(
            "devices.prune_interval_s",
            [](config & c) -> auto& { return c.devices.prune_interval_s; }),
        field(
            "events.retention_days", [](config & c) -> auto& { return c.events.retention_days; }),
        field(
            "events.prune_interval_s",
            [](config & c) -> auto& { return c.events.prune_interval_s; }),
        field(
            "events.heartbeat_s", [](config & c) -> auto& { return c.events.heartbeat_s; }),
        field(
            "events.retry_ms", [](config & c) -> auto& { return c.events.retry_ms; }),
        field(
            "events.stream_queue_bytes",
            [](config & c) -> auto& { return c.events.stream_queue_bytes; }),
        field(
            "events.publish", [](config & c) -> auto& { return c.events.publish; }),
        field(
            "events.max_streams_per_user",
            [](config & c) -> auto& { return c.events.max_streams_per_user; }),
        field(
            "push.service_account_file",
            [](config & c) -> auto& { return c.push.service_account_file; }),
        field(
            "push.token_endpoint", [](config & c) -> auto& { return c.push.token_endpoint; }),
        field(
            "push.send_endpoint", [](config & c) -> auto& { return c.push.send_endpoint; }),
        field(
            "push.event_types", [](config & c) -> auto& { return c.push.event_types; }),
        field(
            "push.poll_interval_ms", [](config & c) -> auto& { return c.push.poll_interval_ms; }),
        field(
            "push.max_attempts", [](config & c) -> auto& { return c.push.max_attempts; }),
        field(
            "push.retry_base_ms", [](config & c) -> auto& { return c.push.retry_base_ms; }),
        field(
            "chat.max_message_chars", [](config & c) -> auto& { return c.chat.max_message_chars; }),
        field(
            "chat.max_batch", [](config & c) -> auto& { return c.chat.max_batch; }),
        field(
            "chat.commit_lanes", [](config & c) -> auto& { return c.chat.commit_lanes; }),
        field(
            "missions.max_reward", [](config & c) -> auto& { return c.missions.max_reward; }),
        field(
            "missions.expiry_interval_s",
            [](config & c) -> auto& { return c.missions.expiry_interval_s; }),
        field(
            "missions.max_approval_group",
            [](config & c) -> auto& { return c.missions.max_approval_group; }),
        field(
            "missions.approval_lanes",
            [](config & c) -> auto& { return c.missions.approval_lanes; }),
        field(
            "reservations.activation_interval_ms",
            [](config & c) -> auto& { return c.reservations.activation_interval_ms; }),
        field(
            "reservations.activation_batch",
            [](config & c) -> auto& { return c.reservations.activation_batch; }),
        field(
            "reservations.max_per_family",
            [](config & c) -> auto& { return c.reservations.max_per_family; }),
        field(
            "push.request_timeout_ms",
            [](config & c) -> auto& { return c.push.request_timeout_ms; }),
        field(
            "push.ca_file", [](config & c) -> auto& { return c.push.ca_file; }),
        field(
            "push.outbox_measure_interval_ms",
            [](config & c) -> auto& { return c.push.outbox_measure_interval_ms; }),
        field(
            "diagnostics.reports_per_address",
            [](config & c) -> auto& { return c.diagnostics.reports_per_address; }),
        field(
            "diagnostics.reports_per_account",
            [](config & c) -> auto& { return c.diagnostics.reports_per_account; }),
        field(
            "diagnostics.report_window_s",
            [](config & c) -> auto& { return c.diagnostics.report_window_s; }),
        field(
            "diagnostics.retention_days",
            [](config & c) -> auto& { return c.diagnostics.retention_days; }),
        field(
            "diagnostics.max_stored", [](config & c) -> auto& { return c.diagnostics.max_stored; }),
        field(
            "diagnostics.prune_interval_s",
            [](config & c) -> auto& { return c.diagnostics.prune_interval_s; }),
    };
    return table;
}

const field_spec* find_field(std::string_view key) {
    const auto& table = fields();
    const auto it = std::find_if(table.begin(), table.end(),
                                 [key](const field_spec& f) { return f.key == key; });
    return it == table.end() ? nullptr : &*it;
}

void apply_json(config& c, const nlohmann::json& node, const std::string& prefix) {
    for (const auto& [name, value] : node.items()) {
        std::string key = prefix;
        if (!key.empty()) {
            key += '.';
        }
        key += name;
        if (value.is_object()) {
            apply_json(c, value, key);
            continue;
        }
        const auto* spec = find_field(key);
        if (spec == nullptr) {
            throw config_error{"config: unknown key '" + key + "'"};
        }
        if (auto message = spec->from_json(c, value); !message.empty()) {
            // NOLINTNEXTLINE(performance-inefficient-string-concatenation): an error path
            throw config_error{"config: " + key + ": " + message + ", got " + value.dump()};
        }
    }
}

/// `<key>_file`: a secret read at start-up, so it never sits in the config or the environment
/// of the process.
void read_secret_file(std::string& secret_out, const std::string& file, const std::string& key) {
    if (file.empty()) {
        return;
    }
    if (!secret_out.empty()) {
        throw config_error{"config: " + key + " and " + key + "_file are both set"};
    }
    std::ifstream in{file};
    if (!in) {
        throw config_error{"config: " + key + "_file: cannot read " + file};
    }
    std::stringstream text;
    text << in.rdbuf();
    auto secret = text.str();
    while (!secret.empty() && std::isspace(static_cast<unsigned char>(secret.back())) != 0) {
        secret.pop_back();
    }
    secret_out = std::move(secret);
}

/// ICE server URLs (RFC 7064/7065) of the schemes a key allows, and TURN only with a secret.
void validate_calls(const calls_config& calls) {
    const auto check = [](const std::string& list, std::string_view key,
                          std::initializer_list<std::string_view> schemes) {
        for (const auto url : comma_list(list)) {
            const bool known = std::any_of(schemes.begin(), schemes.end(), [&](std::string_view s) {
                return url.starts_with(s) && url.size() > s.size();
            });
            if (!known) {
                throw config_error{"config: " + std::string{key} + ": \"" + std::string{url} +
                                   "\" is not a " + std::string{*schemes.begin()} + " URL"};
            }
        }
    };
    check(calls.stun_urls, "calls.stun_urls", {"stun:", "stuns:"});
    check(calls.turn_urls, "calls.turn_urls", {"turn:", "turns:"});
    if (!comma_list(calls.turn_urls).empty() && calls.turn_secret.size() < 16) {
        throw config_error{
            "config: calls.turn_secret (or calls.turn_secret_file) must be set, 16+ characters, "
            "when calls.turn_urls lists TURN servers: it is the TURN server's static-auth-secret"};
    }
    if (calls.turn_credential_ttl_s < 60 || calls.turn_credential_ttl_s > 86400) {
        throw config_error{"config: calls.turn_credential_ttl_s: must be between 60 and 86400"};
    }
    const auto within = [](int value, int low, int high, std::string_view key) {
        if (value < low || value > high) {
            throw config_error{"config: " + std::string{key} + ": must be between " +
                               std::to_string(low) + " and " + std::to_string(high)};
        }
    };
    if (calls.ice_transport_policy != "all" && calls.ice_transport_policy != "relay") {
        throw config_error{R"(config: calls.ice_transport_policy: must be "all" or "relay")"};
    }
    within(calls.ring_timeout_s, 1, 300, "calls.ring_timeout_s");
    within(calls.reconnect_grace_s, 1, 300, "calls.reconnect_grace_s");
    within(calls.max_held_signals, 1, 1000, "calls.max_held_signals");
    within(calls.sweep_ms, 50, 60000, "calls.sweep_ms");
}

void validate_ideas(const ideas_config& ideas) {
    const auto within = [](std::int64_t value, std::int64_t low, std::int64_t high,
                           std::string_view key) {
        if (value < low || value > high) {
            throw config_error{"config: ideas." + std::string{key} + ": must be between " +
                               std::to_string(low) + " and " + std::to_string(high)};
        }
    };
    if (!ideas.provider_url.empty() && !ideas.provider_url.starts_with("https://") &&
        !ideas.provider_url.starts_with("http://")) {
        throw config_error{"config: ideas.provider_url: must be an http(s) URL or empty"};
    }
    if (ideas.provider_url.find('@') != std::string::npos) {
        throw config_error{
            "config: ideas.provider_url: must not carry credentials (use "
            "ideas.api_key_file)"};
    }
    if (!ideas.provider_url.empty() && ideas.model.empty()) {
        throw config_error{"config: ideas.model: must be set with ideas.provider_url"};
    }
    within(ideas.request_timeout.count(), 100, 120000, "request_timeout_ms");
    within(ideas.stream_idle_timeout.count(), 100, 120000, "stream_idle_timeout_ms");
    within(ideas.pool_size, 5, 1000, "pool_size");
    within(ideas.max_tags, 1, 100000, "max_tags");
    within(ideas.ttl_s, 1, std::int64_t{30} * 86400, "ttl_s");
    within(ideas.max_ttl_s, ideas.ttl_s, std::int64_t{365} * 86400, "max_ttl_s");
    within(ideas.half_life_s, 1, std::int64_t{365} * 86400, "half_life_s");
    within(ideas.fill_wait.count(), 0, 60000, "fill_wait_ms");
    within(ideas.near_cache.count(), 0, 10000, "near_cache_ms");
    within(ideas.backoff_base.count(), 10, 3600000, "backoff_base_ms");
    within(ideas.backoff_max.count(), ideas.backoff_base.count(), 86400000, "backoff_max_ms");
    within(ideas.family_calls_per_hour, 1, 100000, "family_calls_per_hour");
}

void validate(const config& c) {
    const auto require = [](bool ok, std::string_view key, std::string_view message) {
        if (!ok) {
            throw config_error{"config: " + std::string{key} + ": " + std::string{message}};
        }
    };
    require(c.mode == "production" || c.mode == "development", "mode",
            "must be production or development");
    require(c.http.port != 0, "http.port", "must not be 0");
    require(c.http.threads >= 0 && c.http.threads <= 256, "http.threads",
            "must be between 0 (one per core) and 256");
    require(c.http.max_body_bytes > 0, "http.max_body_bytes", "must be positive");
    require(c.http.max_header_bytes >= 1024, "http.max_header_bytes", "must be at least 1024");
    require(c.http.max_connections > 0, "http.max_connections", "must be positive");
    require(c.ws.ping_interval_s >= 1 && c.ws.ping_interval_s <= 300, "ws.ping_interval_s",
            "must be between 1 and 300");
    require(c.ws.max_message_bytes >= 1024 && c.ws.max_message_bytes <= 16777216,
            "ws.max_message_bytes", "must be between 1024 and 16777216");
    require(c.ws.max_queued_bytes >= c.ws.max_message_bytes, "ws.max_queued_bytes",
            "must be at least ws.max_message_bytes");
    require(c.ws.max_connections_per_user >= 1, "ws.max_connections_per_user", "must be positive");
    require(c.ws.max_errors_per_minute >= 1, "ws.max_errors_per_minute", "must be positive");
    require(c.presence.heartbeat_s >= 1 && c.presence.heartbeat_s <= 300, "presence.heartbeat_s",
            "must be between 1 and 300");
    require(c.presence.offline_grace <= milliseconds{60000}, "presence.offline_grace_ms",
            "must be at most 60000");
    require(c.database.pool_size >= 1 && c.database.pool_size <= 512, "database.pool_size",
            "must be between 1 and 512");
    require(c.database.pipeline_connections >= 1 && c.database.pipeline_connections <= 64,
            "database.pipeline_connections", "must be between 1 and 64");
    require(!c.database.url.empty(), "database.url", "must not be empty");
    require(c.redis.port != 0, "redis.port", "must not be 0");
    require(c.redis.database >= 0, "redis.database", "must not be negative");
    require(c.redis.reconnect_min.count() > 0 && c.redis.reconnect_min <= c.redis.reconnect_max,
            "redis.reconnect_min_ms", "must be positive and at most redis.reconnect_max_ms");
    require(c.redis.command_timeout.count() > 0, "redis.command_timeout_ms", "must be positive");
    if (c.tls.enabled) {
        require(!c.tls.cert_file.empty(), "tls.cert_file", "is required when tls.enabled");
        require(!c.tls.key_file.empty(), "tls.key_file", "is required when tls.enabled");
        require(c.tls.port != 0, "tls.port", "must not be 0");
    }
    if (c.metrics.port != 0) {
        require(c.metrics.port != c.http.port || c.metrics.address != c.http.address,
                "metrics.port", "must differ from http.port (0 serves /metrics there)");
    }
    require(c.auth.access_ttl_s >= 60 && c.auth.access_ttl_s <= 86400, "auth.access_ttl_s",
            "must be between 60 and 86400");
    require(c.auth.refresh_ttl_s >= 3600, "auth.refresh_ttl_s", "must be at least 3600");
    require(c.auth.login_attempts_per_account > 0 && c.auth.login_attempts_per_address > 0 &&
                c.auth.login_window_s > 0,
            "auth.login_attempts_per_account", "limits and window must be positive");
    require(c.auth.scrypt_log2_n >= 10 && c.auth.scrypt_log2_n <= 20, "auth.scrypt_log2_n",
            "must be between 10 and 20");
    require(c.auth.jwt_secret.empty() || c.auth.jwt_secret.size() >= 32, "auth.jwt_secret",
            "must be at least 32 characters");
    require(c.auth.revocation_poll_ms >= 50 && c.auth.revocation_poll_ms <= 60000,
            "auth.revocation_poll_ms", "must be between 50 and 60000");
    require(c.auth.hash_threads >= 0 && c.auth.hash_threads <= 64, "auth.hash_threads",
            "must be between 0 (one per core) and 64");
    require(c.auth.hash_queue_limit >= 1 && c.auth.hash_queue_limit <= 100000,
            "auth.hash_queue_limit", "must be between 1 and 100000");
    require(c.database.query_timeout.count() >= 100, "database.query_timeout_ms",
            "must be at least 100");
    require(c.events.max_streams_per_user >= 1 && c.events.max_streams_per_user <= 1000,
            "events.max_streams_per_user", "must be between 1 and 1000");
    require(c.diagnostics.reports_per_address >= 1 && c.diagnostics.reports_per_account >= 1 &&
                c.diagnostics.report_window_s >= 1,
            "diagnostics.reports_per_address", "limits and window must be positive");
    require(c.diagnostics.retention_days >= 1, "diagnostics.retention_days", "must be at least 1");
    require(c.diagnostics.max_stored >= 1, "diagnostics.max_stored", "must be at least 1");
    require(c.diagnostics.prune_interval_s >= 1, "diagnostics.prune_interval_s",
            "must be at least 1");
    require(c.devices.stale_after_days >= 1, "devices.stale_after_days", "must be at least 1");
    require(c.devices.prune_interval_s >= 1, "devices.prune_interval_s", "must be at least 1");
    require(c.events.retention_days >= 1, "events.retention_days", "must be at least 1");
    require(c.events.prune_interval_s >= 1, "events.prune_interval_s", "must be at least 1");
    require(c.events.heartbeat_s >= 1 && c.events.heartbeat_s <= 300, "events.heartbeat_s",
            "must be between 1 and 300");
    require(c.events.retry_ms >= 0, "events.retry_ms", "must not be negative");
    require(c.events.stream_queue_bytes >= 4096, "events.stream_queue_bytes",
            "must be at least 4096");
    require(c.push.poll_interval_ms >= 10, "push.poll_interval_ms", "must be at least 10");
    require(c.push.max_attempts >= 1, "push.max_attempts", "must be at least 1");
    require(c.push.retry_base_ms >= 10, "push.retry_base_ms", "must be at least 10");
    require(c.push.request_timeout_ms >= 100, "push.request_timeout_ms", "must be at least 100");
    require(c.push.outbox_measure_interval_ms >= 100, "push.outbox_measure_interval_ms",
            "must be at least 100");
    require(c.chat.max_message_chars >= 1 && c.chat.max_message_chars <= 100000,
            "chat.max_message_chars", "must be between 1 and 100000");
    require(c.missions.max_reward >= 1 && c.missions.max_reward <= 1000, "missions.max_reward",
            "must be between 1 and 1000");
    require(c.missions.expiry_interval_s >= 1 && c.missions.expiry_interval_s <= 86400,
            "missions.expiry_interval_s", "must be between 1 and 86400");
    require(c.missions.max_approval_group >= 1 && c.missions.max_approval_group <= 1000,
            "missions.max_approval_group", "must be between 1 and 1000");
    require(c.missions.approval_lanes >= 1 && c.missions.approval_lanes <= 64,
            "missions.approval_lanes", "must be between 1 and 64");
    require(c.reservations.activation_interval_ms >= 50 &&
                c.reservations.activation_interval_ms <= 60000,
            "reservations.activation_interval_ms", "must be between 50 and 60000");
    require(c.reservations.activation_batch >= 1 && c.reservations.activation_batch <= 5000,
            "reservations.activation_batch", "must be between 1 and 5000");
    require(c.reservations.max_per_family >= 1 && c.reservations.max_per_family <= 100000,
            "reservations.max_per_family", "must be between 1 and 100000");
    require(c.database.connect_retry <= milliseconds{600000}, "database.connect_retry_ms",
            "must be at most 600000");
    require(c.http.unready_delay <= milliseconds{60000}, "http.unready_delay_ms",
            "must be at most 60000");
    require(c.chat.commit_lanes >= 1 && c.chat.commit_lanes <= 64, "chat.commit_lanes",
            "must be between 1 and 64");
    require(c.chat.max_batch >= 1 && c.chat.max_batch <= 10000, "chat.max_batch",
            "must be between 1 and 10000");
    static constexpr std::array levels{"trace", "debug",    "info", "warn",
                                       "error", "critical", "off"};
    require(std::find(levels.begin(), levels.end(), c.log.level) != levels.end(), "log.level",
            "must be one of trace, debug, info, warn, error, critical, off");
}

/// One POKI_* variable: its key's new value, or, for a name that is no key, a refusal when
/// strict and a note for start-up's warning otherwise.
void apply_variable(config& c, const std::string& name, std::string_view value) {
    const auto& table = fields();
    const auto it = std::find_if(table.begin(), table.end(), [&name](const field_spec& f) {
        return env_name_for(f.key) == name;
    });
    if (it == table.end()) {
        if (c.strict_environment) {
            throw config_error{"config: unknown environment variable " + name +
                               " (strict_environment is on)"};
        }
        c.unknown_variables.push_back(name);
        return;
    }
    if (auto message = it->from_text(c, value); !message.empty()) {
        // NOLINTNEXTLINE(performance-inefficient-string-concatenation): an error path
        throw config_error{"config: " + name + " (" + it->key + "): " + message};
    }
}

}  // namespace

std::string web_config::default_web_root() {
#ifdef POKI_WEB_ROOT_DEFAULT
    return POKI_WEB_ROOT_DEFAULT;
#else
    return {};
#endif
}

std::string env_name_for(std::string_view key) {
    std::string name{"POKI_"};
    for (const char ch : key) {
        name.push_back(ch == '.' ? '_'
                                 : static_cast<char>(std::toupper(static_cast<unsigned char>(ch))));
    }
    return name;
}

environment current_environment() {
    environment env;
    for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
        const std::string_view text{*entry};
        const auto eq = text.find('=');
        if (eq != std::string_view::npos) {
            env.emplace(std::string{text.substr(0, eq)}, std::string{text.substr(eq + 1)});
        }
    }
    return env;
}

config load_config(const nlohmann::json& document, const environment& env) {
    config c;
    if (!document.is_null()) {
        if (!document.is_object()) {
            throw config_error{"config: the document must be a JSON object"};
        }
        apply_json(c, document, "");
    }
    // Strictness first: it decides what an unknown variable does, whatever the map's order.
    const auto strict_name = env_name_for("strict_environment");
    if (const auto it = env.find(strict_name); it != env.end()) {
        apply_variable(c, it->first, it->second);
    }
    for (const auto& [name, value] : env) {
        if (name.starts_with("POKI_") && name != "POKI_CONFIG" && name != strict_name) {
            apply_variable(c, name, value);
        }
    }
    read_secret_file(c.auth.jwt_secret, c.auth.jwt_secret_file, "auth.jwt_secret");
    read_secret_file(c.calls.turn_secret, c.calls.turn_secret_file, "calls.turn_secret");
    read_secret_file(c.ideas.api_key, c.ideas.api_key_file, "ideas.api_key");
    validate(c);
    validate_ideas(c.ideas);
    validate_calls(c.calls);
    return c;
}

config load_config_file(const std::string& path, const environment& env) {
    std::ifstream in{path};
    if (!in) {
        throw config_error{"config: cannot read " + path};
    }
    nlohmann::json document;
    try {
        document = nlohmann::json::parse(in);
    } catch (const nlohmann::json::parse_error& e) {
        throw config_error{"config: " + path + " is not valid JSON: " + e.what()};
    }
    return load_config(document, env);
}

std::vector<std::pair<std::string, std::string>> config_keys() {
    std::vector<std::pair<std::string, std::string>> keys;
    for (const auto& f : fields()) {
        keys.emplace_back(f.key, env_name_for(f.key));
    }
    return keys;
}

}  // namespace poki
