// poki: the Poki family server. `poki serve` runs it; `poki migrate` only updates the schema.
#include <cstdio>
#include <cstring>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "poki/core/config.hpp"
#include "poki/core/log.hpp"

#include "app/app.hpp"

namespace {

void print_usage() {
    std::cout << "usage: poki serve [--config FILE]\n"
                 "       poki migrate [--config FILE]\n"
                 "       poki routes [--config FILE]    every route, one 'METHOD /path' a line\n"
                 "       poki version\n\n"
                 "The configuration file is JSON; POKI_CONFIG may name it instead of --config.\n"
                 "Every key can be overridden by an environment variable:\n";
    for (const auto& [key, env] : poki::config_keys()) {
        std::cout << "  " << key << "  (" << env << ")\n";
    }
}

/// The configuration file named by --config or POKI_CONFIG ("" for none), or nothing when
/// the arguments are not understood.
std::optional<std::string> config_path(const std::vector<std::string>& args) {
    std::string path;
    if (const auto env = poki::current_environment(); env.contains("POKI_CONFIG")) {
        path = env.find("POKI_CONFIG")->second;
    }
    for (std::size_t i = 0; i < args.size(); ++i) {
        if (args[i] == "--config" && i + 1 < args.size()) {
            path = args[++i];
        } else {
            std::cerr << "poki: unknown argument '" << args[i] << "'\n";
            return std::nullopt;
        }
    }
    return path;
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
    if (command != "serve" && command != "migrate" && command != "routes") {
        std::cerr << "poki: unknown command '" << command << "'\n";
        print_usage();
        return 2;
    }
    const auto file = config_path({all.begin() + 1, all.end()});
    if (!file) {
        return 2;
    }
    const auto cfg = read_config(*file);
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
            code = server.run([&file = *file] { return load(file); });
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
