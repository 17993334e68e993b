// Server configuration: a JSON file whose every key can be overridden by a POKI_* variable.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace poki {

using milliseconds = std::chrono::milliseconds;

struct http_config {
    std::string address = "127.0.0.1";
    std::uint16_t port = 8080;
    int threads = 0;  ///< io threads; 0 means one per core
    std::size_t max_body_bytes = std::size_t{1024} * 1024;
    std::size_t max_header_bytes = std::size_t{16} * 1024;
    std::size_t max_connections = 10000;
    milliseconds idle_timeout{60000};    ///< keep-alive wait for the next request's first byte
    milliseconds header_timeout{10000};  ///< from the first byte to the end of the header
    milliseconds body_timeout{30000};
    milliseconds write_timeout{30000};
    milliseconds drain_timeout{10000};  ///< how long SIGTERM waits for in-flight requests
    /// Between SIGTERM and closing the listeners /readyz fails while requests are still served,
    /// so a load balancer that probes every few seconds stops sending before the door shuts.
    milliseconds unready_delay{0};
    /// SO_REUSEPORT on the listeners, so a new process can listen on the same port while the
    /// old one still serves (`poki handover`). Off by default: a second server started by
    /// mistake on a taken port should fail, not share it.
    bool reuse_port = false;
    /// Comma-separated addresses or CIDRs of reverse proxies whose X-Forwarded-For is believed;
    /// from anyone else the header is ignored.
    std::string trusted_proxies;
    /// Comma-separated web origins (https://app.example.com) whose pages may call the API
    /// from another origin (CORS); empty: only the server's own origin.
    std::string allowed_origins;
};

/// A listener for operators only: /metrics (with /healthz and /readyz) there and no longer on
/// the public one. Port 0: /metrics stays on the public listener.
struct metrics_config {
    std::string address = "127.0.0.1";
    std::uint16_t port = 0;
};

struct tls_config {
    bool enabled = false;
    std::string address = "127.0.0.1";
    std::uint16_t port = 8443;
    std::string cert_file;
    std::string key_file;
};

struct database_config {
    std::string url = "postgresql://poki@127.0.0.1:5432/poki";
    int pool_size = 8;
    /// Connections for single-statement reads sent from the io threads in libpq's pipeline
    /// mode (beside the pool's, which serve transactions). One carries the most reads per
    /// round trip: on 2 cores it served every read route 15-60% faster than two (bench/run,
    /// BENCH_PIPELINE). Its cost is order: a read waits behind the slower ones sent before
    /// it on the same connection; raise it on more cores or when slow reads appear.
    int pipeline_connections = 1;
    milliseconds acquire_timeout{2000};  ///< wait for a free connection before answering 503
    milliseconds connect_timeout{3000};
    milliseconds statement_timeout{5000};  ///< PostgreSQL's own bound on one statement
    /// A caller gets 503 when its query has no answer this long after it asked, even when the
    /// server hangs without closing the connection.
    milliseconds query_timeout{5000};
    std::string migrations_dir = "sql";
    bool migrate_on_start = true;
    /// How long start-up keeps trying to reach a database that is not up yet (it may start a
    /// moment after us) before giving up; 0 gives up at the first failure.
    milliseconds connect_retry{30000};
};

struct redis_config {
    std::string host = "127.0.0.1";
    std::uint16_t port = 6379;
    std::string password;
    int database = 0;
    milliseconds command_timeout{2000};
    milliseconds reconnect_min{100};
    milliseconds reconnect_max{5000};
};

struct log_config {
    std::string level = "info";
    bool access_log = true;
};

struct auth_config {
    std::string jwt_secret;  ///< HS256 signing key (32+ characters); required unless development
    std::string jwt_secret_file;  ///< a file holding the signing key, instead of jwt_secret
    std::string jwt_key_id = "k1";
    std::string jwt_previous_keys;  ///< "kid:secret,kid:secret": still accepted, never signs
    int access_ttl_s = 900;
    int refresh_ttl_s = 30 * 24 * 3600;
    int login_attempts_per_account = 10;  ///< per login_window_s
    int login_attempts_per_address = 50;
    int login_window_s = 300;
    int scrypt_log2_n = 15;  ///< scrypt cost: N = 2^this, r = 8, p = 1 (32 MiB at 15)
    /// How often each instance reads recent removals from PostgreSQL (the truth), so a removal
    /// reaches every instance within this bound even when Redis pub/sub cannot carry it.
    int revocation_poll_ms = 1000;
    /// Threads that hash and check passwords (scrypt needs 2^scrypt_log2_n × 1 KiB each);
    /// 0 means one per core. They are not pool threads: a burst of sign-ins holds no connection.
    int hash_threads = 0;
    /// Sign-ins waiting for a hashing thread before more get 503 with Retry-After.
    int hash_queue_limit = 64;
};

struct devices_config {
    int stale_after_days = 60;    ///< push tokens not seen for this long are deleted
    int prune_interval_s = 3600;  ///< how often the pruning job runs
};

struct events_config {
    int retention_days = 30;      ///< events older than this are deleted
    int prune_interval_s = 3600;  ///< how often the retention job may run (once across instances)
    int heartbeat_s = 15;         ///< SSE comment heartbeat, also a check against PostgreSQL
    int retry_ms = 3000;          ///< the `retry:` hint sent to SSE clients
    int stream_queue_bytes = 262144;  ///< unsent bytes a stream may hold before it is cut off
    /// Publish events to Redis after commit. Off, streams still get every event from their
    /// PostgreSQL check on each heartbeat (a diagnostic switch, and how tests lose pub/sub).
    bool publish = true;
    int max_streams_per_user = 8;  ///< open event streams one user may hold on one instance
};

struct push_config {
    /// Google service-account JSON (client_email, private_key, token_uri, project_id); empty
    /// turns push off.
    std::string service_account_file;
    /// Overrides the service account's token_uri (tests point both at a local fake).
    std::string token_endpoint;
    /// `{project}` is replaced by the service account's project_id.
    std::string send_endpoint = "https://fcm.googleapis.com/v1/projects/{project}/messages:send";
    /// Comma-separated event types that reach users without a live connection.
    std::string event_types =
        "chat.message,mission.assigned,mission.activated,mission.submitted,mission.approved,"
        "mission.rejected,call.missed";
    int poll_interval_ms = 1000;  ///< how often the outbox is checked without a nudge
    int max_attempts = 8;         ///< a push still failing after this many tries is dropped
    int retry_base_ms = 2000;     ///< first retry delay; doubles with every attempt (max 1 h)
    int request_timeout_ms = 10000;
    std::string ca_file;  ///< extra CA bundle for the FCM endpoints (system CAs otherwise)
    int outbox_measure_interval_ms = 15000;  ///< how often /metrics' outbox depth is measured
};

struct chat_config {
    int max_message_chars = 2000;  ///< in Unicode code points, after trimming
    int max_batch = 256;           ///< sends committed together in one transaction, at most
    int commit_lanes = 4;          ///< families' sends commit side by side in this many lanes
};

struct missions_config {
    int max_reward = 10;         ///< grapes one mission may be worth
    int expiry_interval_s = 60;  ///< how often overdue missions are expired (once across instances)
    int max_approval_group = 64;  ///< approvals committed together at most; 1: one transaction each
    int approval_lanes = 4;       ///< families' approvals commit side by side in this many lanes
};

struct reservations_config {
    int activation_interval_ms = 1000;  ///< how often due occurrences are looked for
    int activation_batch = 200;         ///< reservations one activation transaction takes at most
    int max_per_family = 500;           ///< reservations a family may keep
};

struct diagnostics_config {
    int reports_per_address = 20;  ///< client error reports per address and window
    int reports_per_account = 20;  ///< per signed-in account and window
    int report_window_s = 3600;
    int retention_days = 14;  ///< older reports are deleted
    int max_stored = 100000;  ///< the newest this many are kept at most
    int prune_interval_s = 3600;
};

struct web_config {
    /// The built web app (index.html, assets/ …), loaded into memory at start. Empty: the
    /// build's own output when the web app was built, else the API only.
    std::string root;
    /// The build's own output (POKI_WEB_ROOT_DEFAULT); empty when unknown.
    static std::string default_web_root();
};

struct calls_config {
    /// Comma-separated: "stun:stun.example.com:3478"; sent to every caller as they are.
    std::string stun_urls;
    /// Comma-separated: "turn:turn.example.com:3478?transport=udp, turns:…:5349"; each
    /// caller gets short-lived credentials for them in coturn's shared-secret scheme.
    std::string turn_urls;
    std::string turn_secret;  ///< coturn's static-auth-secret (or turn_secret_file)
    std::string turn_secret_file;
    int turn_credential_ttl_s = 3600;
    /// "all", or "relay": apps use TURN only, so members never see each other's addresses.
    std::string ice_transport_policy = "all";
    int ring_timeout_s = 30;     ///< unanswered this long: missed
    int reconnect_grace_s = 15;  ///< a party whose connection dropped may come back this long
    int max_held_signals = 64;   ///< signals kept for a party who has not answered yet
    int sweep_ms = 1000;         ///< how often ring deadlines and lost parties are looked at
};

struct websocket_config {
    int ping_interval_s = 20;  ///< a ping after this long without a frame; closed after two
    std::size_t max_message_bytes = std::size_t{64} * 1024;  ///< larger messages close (1009)
    std::size_t max_queued_bytes = std::size_t{256} * 1024;  ///< unsent bytes before a cut-off
    int max_connections_per_user = 8;                        ///< on one instance
    int max_errors_per_minute = 20;  ///< refused messages before the connection closes (1008)
};

struct presence_config {
    /// How often an instance refreshes its users' presence in Redis. A killed instance's users
    /// go offline after at most three intervals plus one sweep (4 × heartbeat_s).
    int heartbeat_s = 10;
    /// A member whose last connection closed stays online this long, so a reload or a quick
    /// reconnect does not flap.
    milliseconds offline_grace{5000};
};

/// Mission ideas: a model behind an OpenAI-compatible chat-completions endpoint, its answers
/// pooled in Redis per tag and age band; the offline library answers when there is no model.
struct ideas_config {
    /// The API's base URL ("https://api.openai.com/v1"; /chat/completions is appended);
    /// empty: the offline library only.
    std::string provider_url;
    std::string model = "gpt-4o-mini";
    std::string api_key;  ///< sent as a bearer token (or api_key_file); never logged
    std::string api_key_file;
    std::string ca_file;  ///< extra CA bundle for the provider (system CAs otherwise)
    milliseconds request_timeout{15000};     ///< a whole answer, streamed or not
    milliseconds stream_idle_timeout{5000};  ///< the longest silence inside a streamed answer
    int pool_size = 30;                      ///< ideas kept per tag and age band
    int max_tags = 500;            ///< tags cached at most; the least frequently used goes
    int ttl_s = 86400;             ///< a pool lives this long after its last use…
    int max_ttl_s = 7 * 86400;     ///< …but never longer than this after it was first filled
    int half_life_s = 3 * 86400;   ///< a use counts half as much after this long
    milliseconds fill_wait{3000};  ///< how long a miss waits for another's model call
    /// An instance answers from its own copy of a pool this long before reading Redis again
    /// (its uses are counted then); 0 reads Redis for every answer.
    milliseconds near_cache{250};
    milliseconds backoff_base{2000};  ///< after a failed call; doubles per failure in a row
    milliseconds backoff_max{300000};
    int family_calls_per_hour = 30;  ///< model calls one family may cause
};

struct config {
    /// "production" (the default) or "development", which allows what a developer's machine
    /// may do and a service must not: a random per-process signing key.
    std::string mode = "production";
    http_config http;
    tls_config tls;
    metrics_config metrics;
    database_config database;
    redis_config redis;
    log_config log;
    auth_config auth;
    devices_config devices;
    events_config events;
    push_config push;
    chat_config chat;
    missions_config missions;
    reservations_config reservations;
    diagnostics_config diagnostics;
    web_config web;
    calls_config calls;
    websocket_config ws;
    presence_config presence;
    ideas_config ideas;
    /// An environment variable that starts with POKI_ but names no key stops start-up instead
    /// of being reported (orchestrators set POKI_PORT and the like for services named poki).
    bool strict_environment = false;
    /// Such variables when not strict, for start-up to warn about (names only: values may be
    /// secrets).
    std::vector<std::string> unknown_variables;

    [[nodiscard]] bool development() const noexcept { return mode == "development"; }
};

/// Start-up refuses a configuration it does not understand; the message names the key.
class config_error : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

using environment = std::map<std::string, std::string, std::less<>>;

/// The process environment, as a map.
[[nodiscard]] environment current_environment();

/// Defaults, then the JSON document, then POKI_* variables. Throws config_error.
[[nodiscard]] config load_config(const nlohmann::json& document, const environment& env);

/// Reads and parses the file, then load_config. Throws config_error.
[[nodiscard]] config load_config_file(const std::string& path, const environment& env);

/// Every key with its environment variable name, for `poki --help`.
[[nodiscard]] std::vector<std::pair<std::string, std::string>> config_keys();

/// The environment variable that overrides a dotted key ("http.port" -> "POKI_HTTP_PORT").
[[nodiscard]] std::string env_name_for(std::string_view key);

}  // namespace poki
