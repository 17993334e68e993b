// poki: the Poki family server. `poki serve` runs it; `poki migrate` only updates the schema;
// `poki handover` replaces a running server with a new one without dropping a request.
#include <charconv>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "poki/core/config.hpp"
#include "poki/core/log.hpp"
#include "poki/ops/handover.hpp"

#include "app/app.hpp"

namespace {

void print_usage() {
    std::cout << "usage: poki serve [--config FILE]\n"
                 "       poki migrate [--config FILE]\n"
                 "       poki routes [--config FILE]    every route, one 'METHOD /path' a line\n"
                 "       poki handover --pid PID [--config FILE] [--timeout-ms N] [--pid-file F]\n"
                 "             a new server (this binary) takes over PID's ports (both need\n"
                 "             http.reuse_port); PID drains and exits once the new one is ready;\n"
                 "             the new one logs where this command's output goes\n"
                 "       poki version\n\n"
                 "The configuration file is JSON; POKI_CONFIG may name it instead of --config.\n"
                 "Every key can be overridden by an environment variable:\n";
    for (const auto& [key, env] : poki::config_keys()) {
        std::cout << "  " << key << "  (" << env << ")\n";
    }
}

struct arguments {
    std::string config_path;         ///< --config or POKI_CONFIG; "" for none
    std::optional<pid_t> pid;        ///< handover --pid
    std::optional<pid_t> take_over;  ///< serve --take-over (what handover starts)
    std::optional<int> ready_fd;     ///< serve --ready-fd: a byte there once it took over
    std::optional<long> timeout_ms;  ///< handover --timeout-ms
    std::string pid_file;            ///< handover --pid-file
};

std::optional<long> number(const std::string& text) {
    long value = 0;
    const auto* end = text.data() + text.size();
    const auto [ptr, ec] = std::from_chars(text.data(), end, value);
    if (ec != std::errc{} || ptr != end || text.empty() || value < 0) {
        return std::nullopt;
    }
    return value;
}

/// The command's options, or nothing when they are not understood (said on stderr).
std::optional<arguments> parse_arguments(const std::string& command,
                                         const std::vector<std::string>& args) {
    arguments out;
    if (const auto env = poki::current_environment(); env.contains("POKI_CONFIG")) {
        out.config_path = env.find("POKI_CONFIG")->second;
    }
    for (std::size_t i = 0; i < args.size(); ++i) {
        const auto& name = args[i];
        const bool has_value = i + 1 < args.size();
        if (name == "--config" && has_value) {
            out.config_path = args[++i];
            continue;
        }
        if (command == "handover" && name == "--pid-file" && has_value) {
            out.pid_file = args[++i];
            continue;
        }
        const bool numeric =
            (command == "handover" && (name == "--pid" || name == "--timeout-ms")) ||
            (command == "serve" && (name == "--take-over" || name == "--ready-fd"));
        const auto value = numeric && has_value ? number(args[i + 1]) : std::nullopt;
        if (!value) {
            std::cerr << "poki: unknown or incomplete argument '" << name << "'\n";
            return std::nullopt;
        }
        ++i;
        if (name == "--pid") {
            out.pid = static_cast<pid_t>(*value);
        } else if (name == "--timeout-ms") {
            out.timeout_ms = *value;
        } else if (name == "--take-over") {
            out.take_over = static_cast<pid_t>(*value);
        } else {
            out.ready_fd = static_cast<int>(*value);
        }
    }
    if (command == "handover" && !out.pid) {
        std::cerr << "poki: handover needs --pid\n";
        return std::nullopt;
    }
    return out;
}

/// `poki handover`: this binary, with the same configuration, replaces the server at --pid.
int hand_over(const arguments& args) {
    poki::ops::handover_request request;
    request.old_pid = *args.pid;
    request.binary = std::filesystem::read_symlink("/proc/self/exe").string();
    if (!args.config_path.empty()) {
        request.serve_arguments = {"--config", std::filesystem::absolute(args.config_path)};
    }
    if (args.timeout_ms) {
        request.timeout = std::chrono::milliseconds{*args.timeout_ms};
    }
    request.pid_file = args.pid_file;
    try {
        return poki::ops::hand_over(request);
    } catch (const std::exception& e) {
        std::cerr << "poki: handover: " << e.what() << "\n";
        return 2;
    }
}

/// The file (if any), then the environment as it is now. Throws poki::config_error.
poki::config load(const std::string& path) {
    const auto env = poki::current_environment();
    return path.empty() ? poki::load_config(nullptr, env) : poki::load_config_file(path, env);
}

std::optional<poki::config> read_config(const std::string& path) {
    try {
        return load(path);
    } catch (const poki::config_error& e) {
        std::cerr << "poki: " << e.what() << "\n";
        return std::nullopt;
    }
}

}  // namespace

int main(int argc, char** argv) {
    const std::vector<std::string> all(argv + 1, argv + argc);
    if (all.empty() || all[0] == "--help" || all[0] == "-h" || all[0] == "help") {
        print_usage();
        return all.empty() ? 2 : 0;
    }
    const std::string& command = all[0];
    if (command == "version" || command == "--version") {
        std::cout << "poki " << POKI_VERSION << "\n";
        return 0;
    }
    if (command != "serve" && command != "migrate" && command != "routes" &&
        command != "handover") {
        std::cerr << "poki: unknown command '" << command << "'\n";
        print_usage();
        return 2;
    }
    const auto args = parse_arguments(command, {all.begin() + 1, all.end()});
    if (!args) {
        return 2;
    }
    if (command == "handover") {
        return hand_over(*args);
    }
    const auto& file = args->config_path;
    const auto cfg = read_config(file);
    if (!cfg) {
        return 2;
    }
    // `routes` prints a table on stdout, where the log lines would go too.
    poki::log::setup(command == "routes" ? std::string{"off"} : cfg->log.level);
    for (const auto& name : cfg->unknown_variables) {
        poki::log::warn("environment variable names no configuration key; ignored",
                        {{"variable", name}});
    }
    int code = 0;
    try {
        if (command == "migrate") {
            const auto report = poki::migrate_database(cfg->database);
            poki::log::info("migrations done", {{"applied_now", report.applied.size()},
                                                {"schema_version", report.schema_version}});
        } else if (command == "routes") {
            const poki::app server{*cfg};
            for (const auto& [method, path] : server.route_table()) {
                std::cout << method << ' ' << path << '\n';
            }
        } else {
            poki::app server{*cfg};
            // SIGHUP reads the same file and environment again.
            code = server.run([&file] { return load(file); },
                              poki::take_over_plan{args->take_over, args->ready_fd});
        }
    } catch (const poki::config_error& e) {
        // A configuration that cannot serve: restarting will not help (exit 2, like a bad file).
        poki::log::error("start-up failed", {{"error", e.what()}});
        std::cerr << "poki: " << e.what() << "\n";
        code = 2;
    } catch (const std::exception& e) {
        poki::log::error("start-up failed", {{"error", e.what()}});
        std::cerr << "poki: " << e.what() << "\n";
        code = 1;
    }
    poki::log::shutdown();
    return code;
}
