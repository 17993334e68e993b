// /metrics as a Prometheus server reads it: every family declared once before its samples,
// its samples together, names, labels and values well formed, histograms cumulative; and
// what an operator looks for is there (the build, the process, Redis's connections, the
// database's latency, every job's last success, the push outbox).
#include <chrono>
#include <cmath>
#include <map>
#include <optional>
#include <regex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "support/family_api.hpp"
#include "support/running_server.hpp"
#include "support/test_support.hpp"

namespace poki::test {
namespace {

struct sample {
    std::string name;
    std::map<std::string, std::string> labels;
    double value = 0;
};

struct exposition {
    std::map<std::string, std::string> types;  ///< family → type
    std::vector<sample> samples;
    std::vector<std::string> problems;

    [[nodiscard]] std::optional<double> value(
        const std::string& name, const std::map<std::string, std::string>& labels = {}) const {
        for (const auto& s : samples) {
            if (s.name == name && s.labels == labels) {
                return s.value;
            }
        }
        return std::nullopt;
    }
    [[nodiscard]] const sample* first(const std::string& name) const {
        for (const auto& s : samples) {
            if (s.name == name) {
                return &s;
            }
        }
        return nullptr;
    }
};

const std::regex metric_name{"[a-zA-Z_:][a-zA-Z0-9_:]*"};
const std::regex label_name{"[a-zA-Z_][a-zA-Z0-9_]*"};

std::optional<double> number(const std::string& text) {
    if (text == "+Inf") {
        return INFINITY;
    }
    if (text == "-Inf") {
        return -INFINITY;
    }
    try {
        std::size_t used = 0;
        const double v = std::stod(text, &used);
        return used == text.size() ? std::optional{v} : std::nullopt;
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

/// `a="x",b="y\"z"` → {a: x, b: y"z}, or nothing when it is not that.
std::optional<std::map<std::string, std::string>> parse_labels(const std::string& text) {
    std::map<std::string, std::string> out;
    std::size_t i = 0;
    while (i < text.size()) {
        const auto eq = text.find("=\"", i);
        if (eq == std::string::npos) {
            return std::nullopt;
        }
        const auto key = text.substr(i, eq - i);
        std::string value;
        std::size_t j = eq + 2;
        for (; j < text.size() && text[j] != '"'; ++j) {
            if (text[j] == '\\' && j + 1 < text.size()) {
                ++j;
                value += text[j] == 'n' ? '\n' : text[j];
            } else {
                value += text[j];
            }
        }
        if (j >= text.size() || !std::regex_match(key, label_name) ||
            !out.emplace(key, value).second) {
            return std::nullopt;
        }
        i = j + 1;
        if (i < text.size() && text[i++] != ',') {
            return std::nullopt;
        }
    }
    return out;
}

/// The family a sample belongs to: a histogram's _bucket, _sum and _count are its own.
std::string family_of(const std::string& name, const std::map<std::string, std::string>& types) {
    for (const std::string suffix : {"_bucket", "_sum", "_count"}) {
        if (name.ends_with(suffix)) {
            const auto base = name.substr(0, name.size() - suffix.size());
            if (const auto it = types.find(base); it != types.end() && it->second == "histogram") {
                return base;
            }
        }
    }
    return name;
}

void check_sample_line(exposition& e, const std::string& line, const std::set<std::string>& helps,
                       std::set<std::string>& closed, std::string& current,
                       std::set<std::string>& seen) {
    static const std::regex shape{R"(([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+))"};
    std::smatch m;
    if (!std::regex_match(line, m, shape)) {
        e.problems.push_back("not a sample: " + line);
        return;
    }
    const auto labels = parse_labels(m[3].str());
    const auto value = number(m[4].str());
    if (!labels || !value) {
        e.problems.push_back("bad labels or value: " + line);
        return;
    }
    const auto family = family_of(m[1].str(), e.types);
    if (!e.types.contains(family) || !helps.contains(family)) {
        e.problems.push_back("sample before its HELP and TYPE: " + line);
    }
    if (family != current) {
        if (closed.contains(family)) {
            e.problems.push_back("family's samples are not together: " + family);
        }
        closed.insert(current);
        current = family;
    }
    if (!seen.insert(m[1].str() + "{" + m[3].str() + "}").second) {
        e.problems.push_back("sample repeated: " + line);
    }
    e.samples.push_back({m[1].str(), *labels, *value});
}

void check_comment_line(exposition& e, const std::string& line, std::set<std::string>& helps,
                        const std::set<std::string>& closed) {
    static const std::regex help{R"(# HELP (\S+) (.+))"};
    static const std::regex type{R"(# TYPE (\S+) (counter|gauge|histogram|summary|untyped))"};
    std::smatch m;
    if (std::regex_match(line, m, help)) {
        if (!helps.insert(m[1].str()).second) {
            e.problems.push_back("second HELP: " + line);
        }
    } else if (std::regex_match(line, m, type)) {
        if (!e.types.emplace(m[1].str(), m[2].str()).second) {
            e.problems.push_back("second TYPE: " + line);
        }
        if (m[2].str() == "counter" && !m[1].str().ends_with("_total")) {
            e.problems.push_back("a counter whose name does not end in _total: " + m[1].str());
        }
    } else {
        e.problems.push_back("not a HELP or TYPE line: " + line);
        return;
    }
    if (!std::regex_match(m[1].str(), metric_name) || closed.contains(m[1].str())) {
        e.problems.push_back("bad or late family name: " + line);
    }
}

/// Buckets ascend in `le`, counts never fall, +Inf comes last and equals _count.
void check_histograms(exposition& e) {
    std::map<std::string, std::vector<std::pair<double, double>>> buckets;  // series → (le, n)
    for (const auto& s : e.samples) {
        if (!s.name.ends_with("_bucket") || family_of(s.name, e.types) == s.name) {
            continue;
        }
        auto rest = s.labels;
        const auto le_label = rest.find("le");
        const auto le = le_label == rest.end() ? std::nullopt : number(le_label->second);
        if (!le.has_value()) {
            e.problems.push_back("bucket without le: " + s.name);
            continue;
        }
        const double bound = le.value();
        rest.erase("le");
        const auto count_name = s.name.substr(0, s.name.size() - 7) + "_count";
        buckets[count_name + nlohmann::json(rest).dump()].emplace_back(bound, s.value);
    }
    for (const auto& [series, points] : buckets) {
        for (std::size_t i = 1; i < points.size(); ++i) {
            if (points[i].first <= points[i - 1].first || points[i].second < points[i - 1].second) {
                e.problems.push_back("histogram not cumulative: " + series);
            }
        }
        if (points.empty() || !std::isinf(points.back().first)) {
            e.problems.push_back("histogram without +Inf: " + series);
        }
    }
}

exposition parse(const std::string& text) {
    exposition e;
    std::set<std::string> helps;
    std::set<std::string> closed;
    std::set<std::string> seen;
    std::string current;
    std::istringstream lines{text};
    for (std::string line; std::getline(lines, line);) {
        if (line.empty()) {
            continue;
        }
        if (line.starts_with('#')) {
            check_comment_line(e, line, helps, closed);
        } else {
            check_sample_line(e, line, helps, closed, current, seen);
        }
    }
    check_histograms(e);
    return e;
}

exposition scrape(const running_server& server) {
    const auto r = server.request("GET", "/metrics");
    EXPECT_EQ(r.status, 200);
    return parse(r.body);
}

/// Scrapes until `done` holds or 15 s pass; the last scrape either way.
template <class Done>
exposition scrape_until(const running_server& server, Done done) {
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds{15};
    auto e = scrape(server);
    while (!done(e) && std::chrono::steady_clock::now() < until) {
        std::this_thread::sleep_for(std::chrono::milliseconds{100});
        e = scrape(server);
    }
    return e;
}

std::string joined(const std::vector<std::string>& lines) {
    std::string out;
    for (const auto& l : lines) {
        out += l + "\n";
    }
    return out;
}

TEST(Metrics, EveryFamilyIsDeclaredOnceBeforeItsSamplesWhichStayTogether) {
    running_server server;
    const auto mom = parent(server);
    (void)child(server, mom);
    (void)server.request("GET", "/api/v1/nothing-here");
    const auto e = scrape(server);
    EXPECT_TRUE(e.problems.empty()) << joined(e.problems);
    EXPECT_GT(e.samples.size(), 100U);
    // The parser itself: each rule it enforces, broken once.
    for (const auto* broken : {
             "poki_x 1\n",  // no HELP or TYPE
             "# HELP a_total A.\n# TYPE a_total counter\n# TYPE a_total counter\na_total 1\n",
             "# HELP a A.\n# TYPE a counter\na 1\n",  // counter without _total
             "# HELP a A.\n# TYPE a gauge\na{x=\"1\"} 1\n# HELP b B.\n# TYPE b gauge\nb 1\n"
             "a{x=\"2\"} 1\n",                           // apart
             "# HELP a A.\n# TYPE a gauge\na{x=1} 1\n",  // unquoted label
             "# HELP a A.\n# TYPE a gauge\na one\n",     // not a number
             "# HELP h H.\n# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 1\n"
             "h_sum 1\nh_count 1\n",  // falls
         }) {
        EXPECT_FALSE(parse(broken).problems.empty()) << broken;
    }
}

TEST(Metrics, TheBuildTheProcessRedisAndTheDatabaseAreReported) {
    running_server server;
    (void)parent(server);
    const auto e = scrape_until(server, [](const exposition& x) {
        return x.value("poki_redis_connected", {{"connection", "subscriber"}}) == 1.0;
    });
    const auto* build = e.first("poki_build_info");
    ASSERT_NE(build, nullptr);
    EXPECT_EQ(build->value, 1);
    EXPECT_EQ(build->labels.at("version"), POKI_VERSION);
    EXPECT_FALSE(build->labels.at("compiler").empty());

    EXPECT_EQ(e.value("poki_redis_connected", {{"connection", "commands"}}), 1.0);
    EXPECT_EQ(e.value("poki_redis_connected", {{"connection", "subscriber"}}), 1.0);
    EXPECT_GT(e.value("poki_redis_commands_total", {{"connection", "commands"}}).value_or(0), 0);

    EXPECT_GT(e.value("poki_db_query_seconds_count").value_or(0), 0);
    EXPECT_EQ(e.value("poki_db_query_seconds_count"),
              e.value("poki_db_query_seconds_bucket", {{"le", "+Inf"}}));
    EXPECT_GT(e.value("poki_db_queue_wait_seconds_count").value_or(0), 0);

    const auto now =
        std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
    const auto started = e.value("process_start_time_seconds").value_or(0);
    EXPECT_GT(started, now - 120);
    EXPECT_LT(started, now + 2);
    EXPECT_GT(e.value("process_resident_memory_bytes").value_or(0), 1 << 20);
    EXPECT_GE(e.value("process_virtual_memory_bytes").value_or(0),
              e.value("process_resident_memory_bytes").value_or(1));
    EXPECT_GT(e.value("process_open_fds").value_or(0), 5);  // listeners, database, Redis
    EXPECT_GE(e.value("process_max_fds").value_or(0), e.value("process_open_fds").value_or(1));
    EXPECT_GE(e.value("process_threads").value_or(0), 2);
    EXPECT_GE(e.value("process_cpu_seconds_total").value_or(-1), 0);
}

TEST(Metrics, EveryBackgroundJobReportsItsRunsAndLastSuccess) {
    running_server server;
    const std::vector<std::string> jobs{"device pruning",         "event retention",
                                        "mission expiry",         "reservation activation",
                                        "client error retention", "request key retention",
                                        "revocation refresh",     "call sweep",
                                        "push outbox gauge"};
    const auto all_ran = [&](const exposition& x) {
        for (const auto& job : jobs) {
            if (x.value("poki_job_last_success_timestamp_seconds", {{"job", job}}).value_or(0) ==
                0) {
                return false;
            }
        }
        return true;
    };
    const auto e = scrape_until(server, all_ran);
    const auto now =
        std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
    for (const auto& job : jobs) {
        const auto last = e.value("poki_job_last_success_timestamp_seconds", {{"job", job}});
        ASSERT_TRUE(last.has_value()) << job;
        EXPECT_GT(*last, now - 60) << job;
        EXPECT_LE(*last, now + 1) << job;
        EXPECT_GE(e.value("poki_job_runs_total", {{"job", job}}).value_or(0), 1) << job;
        EXPECT_EQ(e.value("poki_job_failures_total", {{"job", job}}), 0.0) << job;
    }
}

TEST(Metrics, ThePushOutboxDepthAndTheAgeOfItsOldestAreMeasured) {
    // Push is off here, so what is queued stays: the gauge must see it.
    running_server server{{.extra = {{"push", {{"outbox_measure_interval_ms", 100}}}}}};
    const auto mom = parent(server);
    const auto kid = child(server, mom);
    // The database is shared with earlier tests, whose pushes may still wait: count from here.
    const auto before = scrape_until(server, [](const exposition& x) {
        return x.value("poki_job_runs_total", {{"job", "push outbox gauge"}}).value_or(0) >= 2;
    });
    const auto depth_before = before.value("poki_push_outbox_depth").value_or(-1);
    ASSERT_GE(depth_before, 0);
    const auto device = "/api/v1/devices/kid-phone-" + random_suffix();
    ASSERT_EQ(server
                  .request("PUT", device, R"({"platform":"ios","app_version":"2.0.0"})",
                           bearer(kid.access))
                  .status,
              200);
    // The device takes its queued push with it, so no later test's server sends it.
    const struct forget_device {
        const running_server& server;
        const std::string& path;
        const std::string& access;
        ~forget_device() { (void)server.request("DELETE", path, {}, bearer(access)); }
    } forget{server, device, kid.access};
    const auto room = family_room(server, mom);
    ASSERT_EQ(
        server
            .request("POST", "/api/v1/chat/rooms/" + std::to_string(room) + "/messages",
                     R"({"client_id":"5b1f0a9e-3c2d-4e8f-9a0b-1c2d3e4f5a6b","text":"밥 먹자"})",
                     bearer(mom.access))
            .status,
        201);
    const auto e = scrape_until(server, [&](const exposition& x) {
        return x.value("poki_push_outbox_depth").value_or(0) >= depth_before + 1 &&
               x.value("poki_push_outbox_oldest_age_seconds").value_or(0) > 0.2;
    });
    EXPECT_GE(e.value("poki_push_outbox_depth").value_or(0), depth_before + 1);
    EXPECT_GT(e.value("poki_push_outbox_oldest_age_seconds").value_or(0), 0.2);
}

TEST(Metrics, AnOperatorListenerServesThemAndThePublicOneNoLonger) {
    const auto operator_port = free_port();
    running_server server{{.extra = {{"metrics", {{"port", operator_port}}}}}};
    expect_problem(server.request("GET", "/metrics"), 404, "not_found");
    const auto scraped = http_request(operator_port, "GET", "/metrics");
    ASSERT_EQ(scraped.status, 200);
    EXPECT_EQ(scraped.header("content-type"), "text/plain; version=0.0.4");
    const auto e = parse(scraped.body);
    EXPECT_TRUE(e.problems.empty()) << joined(e.problems);
    EXPECT_NE(e.first("poki_build_info"), nullptr);
    // Requests to the public listener are counted; the operator's own are not among them.
    EXPECT_GT(e.value("poki_http_connections_total").value_or(0), 0);
    // Probes are there too; the API is not.
    EXPECT_EQ(http_request(operator_port, "GET", "/healthz").status, 200);
    EXPECT_EQ(http_request(operator_port, "GET", "/readyz").status, 200);
    EXPECT_EQ(http_request(operator_port, "GET", "/api/v1/meta").status, 404);
    EXPECT_EQ(server.request("GET", "/api/v1/meta").status, 200);
}

}  // namespace
}  // namespace poki::test
