#include "poki/web/static_site.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <fstream>
#include <map>
#include <optional>

#include "poki/core/comma_list.hpp"
#include "poki/core/crypto.hpp"
#include "poki/http/request_context.hpp"

namespace poki::web {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view immutable_cache{"public, max-age=31536000, immutable"};
constexpr std::string_view revalidate_cache{"no-cache"};

char lower(char c) noexcept {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

bool iequals(std::string_view a, std::string_view b) noexcept {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(),
                                              [](char x, char y) { return lower(x) == lower(y); });
}

bool ends_with_ci(std::string_view text, std::string_view suffix) noexcept {
    return text.size() >= suffix.size() &&
           iequals(text.substr(text.size() - suffix.size()), suffix);
}

std::string_view file_name_of(std::string_view path) noexcept {
    const auto slash = path.rfind('/');
    return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

bool under(std::string_view path, std::string_view prefix) noexcept {
    return path.starts_with(prefix) && (path.size() == prefix.size() || path[prefix.size()] == '/');
}

std::string etag_of(std::string_view bytes) {
    return '"' + crypto::base64url_encode(crypto::sha256(bytes)).substr(0, 22) + '"';
}

std::string read_file(const fs::path& file) {
    std::ifstream in{file, std::ios::binary};
    std::string bytes{std::istreambuf_iterator<char>{in}, std::istreambuf_iterator<char>{}};
    if (!in.good() && !in.eof()) {
        throw site_error{"web.root: cannot read " + file.string()};
    }
    return bytes;
}

/// Every regular file under root by its path from the root ("/assets/app.js"); dot names and
/// symbolic links are left out, so nothing outside the root is ever read.
std::map<std::string, std::string> read_tree(const fs::path& root, std::size_t max_bytes) {
    std::error_code ec;
    if (!fs::is_directory(root, ec)) {
        throw site_error{"web.root: " + root.string() + " is not a directory"};
    }
    std::map<std::string, std::string> files;
    std::size_t total = 0;
    for (auto it = fs::recursive_directory_iterator{root}; it != fs::recursive_directory_iterator{};
         ++it) {
        const auto name = it->path().filename().string();
        if (name.starts_with('.') || it->is_symlink()) {
            it.disable_recursion_pending();
            continue;
        }
        if (!it->is_regular_file()) {
            continue;
        }
        auto bytes = read_file(it->path());
        total += bytes.size();
        if (total > max_bytes) {
            throw site_error{"web.root: " + root.string() + " holds more than " +
                             std::to_string((max_bytes >> 20U)) +
                             " MiB; it is kept in memory, so serve large files elsewhere"};
        }
        files.emplace("/" + fs::relative(it->path(), root).generic_string(), std::move(bytes));
    }
    return files;
}

/// The coding a precompressed file stands for, and the file it compresses.
std::pair<content_coding, std::string_view> variant_of(std::string_view path) noexcept {
    if (path.ends_with(".gz")) {
        return {content_coding::gzip, path.substr(0, path.size() - 3)};
    }
    if (path.ends_with(".br")) {
        return {content_coding::br, path.substr(0, path.size() - 3)};
    }
    return {content_coding::identity, path};
}

int preference(content_coding coding) noexcept {
    switch (coding) {
        case content_coding::br:
            return 2;
        case content_coding::gzip:
            return 1;
        case content_coding::identity:
            return 0;
    }
    return 0;
}

/// The q-value among an Accept-Encoding entry's parameters ("q=0.5"); 1 when it has none,
/// 0 when it is malformed.
double q_value(std::string_view parameters) noexcept {
    while (!parameters.empty()) {
        const auto semicolon = parameters.find(';');
        const auto parameter = trim_blanks(parameters.substr(0, semicolon));
        if (parameter.size() > 2 && lower(parameter[0]) == 'q' && parameter[1] == '=') {
            const auto text = parameter.substr(2);
            double value = 0.0;
            const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
            const bool valid = ec == std::errc{} && end == text.data() + text.size();
            return valid && value >= 0.0 && value <= 1.0 ? value : 0.0;
        }
        parameters = semicolon == std::string_view::npos ? std::string_view{}
                                                         : parameters.substr(semicolon + 1);
    }
    return 1.0;
}

/// Identity that the client did not name: acceptable, but the last choice (RFC 9110 §12.5.3).
constexpr double unnamed_identity = 0.001;

/// How much the client wants `coding`: its own entry, else `*`, else (identity only) barely.
double acceptance(std::string_view accept_encoding, content_coding coding) {
    const std::string_view name =
        coding == content_coding::identity ? "identity" : to_string(coding);
    std::optional<double> wildcard;
    for (const auto entry : comma_list(accept_encoding)) {
        const auto semicolon = entry.find(';');
        const auto token = trim_blanks(entry.substr(0, semicolon));
        const auto q =
            semicolon == std::string_view::npos ? 1.0 : q_value(entry.substr(semicolon + 1));
        if (iequals(token, name)) {
            return q;
        }
        if (token == "*") {
            wildcard = q;
        }
    }
    if (wildcard) {
        return *wildcard;
    }
    return coding == content_coding::identity ? unnamed_identity : 0.0;
}

}  // namespace

std::string_view to_string(content_coding coding) noexcept {
    switch (coding) {
        case content_coding::gzip:
            return "gzip";
        case content_coding::br:
            return "br";
        case content_coding::identity:
            return "";
    }
    return "";
}

const encoded_body& asset::body_for(std::string_view accept_encoding) const {
    const encoded_body* best = &bodies.front();
    double best_q = 0.0;
    for (const auto& body : bodies) {
        const double q = acceptance(accept_encoding, body.coding);
        if (q > 0.0 &&
            (q > best_q || (q == best_q && preference(body.coding) > preference(best->coding)))) {
            best = &body;
            best_q = q;
        }
    }
    return *best;
}

static_site static_site::load(const fs::path& root, std::size_t max_bytes) {
    auto files = read_tree(root, max_bytes);
    static_site site;
    for (auto& [path, bytes] : files) {
        site.total_bytes_ += bytes.size();
        const auto [coding, base] = variant_of(path);
        if (coding != content_coding::identity && files.contains(std::string{base})) {
            continue;  // attached below, to the file it compresses
        }
        asset a;
        a.content_type = std::string{content_type_for(path)};
        a.is_html = ends_with_ci(path, ".html");
        a.cache_control =
            std::string{has_content_hash(file_name_of(path)) ? immutable_cache : revalidate_cache};
        a.bodies.push_back({content_coding::identity, bytes, etag_of(bytes)});
        for (const auto variant : {content_coding::br, content_coding::gzip}) {
            const auto compressed =
                files.find(path + (variant == content_coding::br ? ".br" : ".gz"));
            if (compressed != files.end()) {
                a.bodies.push_back({variant, compressed->second, etag_of(compressed->second)});
            }
        }
        site.files_.emplace(path, std::move(a));
    }
    const auto index = site.files_.find("/index.html");
    if (index == site.files_.end()) {
        throw site_error{"web.root: " + root.string() +
                         " has no index.html (is the web app built?)"};
    }
    site.app_page_ = &index->second;
    return site;
}

const asset* static_site::resolve(std::string_view raw_path) const {
    if (is_reserved_path(raw_path)) {
        return nullptr;
    }
    const auto path = http::percent_decode(raw_path, false);
    if (!path || path->empty() || path->front() != '/' || is_reserved_path(*path) ||
        path->find('\\') != std::string::npos) {
        return nullptr;
    }
    std::string_view rest{*path};
    rest.remove_prefix(1);
    while (true) {
        // ".", ".." and dot names (.git, .env) are neither files of the site nor client routes.
        const auto segment = rest.substr(0, rest.find('/'));
        if (segment.starts_with('.')) {
            return nullptr;
        }
        if (segment.size() == rest.size()) {
            break;
        }
        rest.remove_prefix(segment.size() + 1);
    }
    if (*path == "/") {
        return app_page_;
    }
    if (const auto found = files_.find(*path); found != files_.end()) {
        return &found->second;
    }
    return file_name_of(*path).find('.') == std::string_view::npos ? app_page_ : nullptr;
}

bool is_reserved_path(std::string_view path) noexcept {
    return under(path, "/api") || under(path, "/healthz") || under(path, "/readyz") ||
           under(path, "/metrics") || under(path, "/ical");
}

bool has_content_hash(std::string_view file_name) noexcept {
    const auto stem = file_name.substr(0, file_name.find('.'));
    const auto dash = stem.rfind('-');
    if (dash == std::string_view::npos) {
        return false;
    }
    const auto hash = stem.substr(dash + 1);
    return hash.size() >= 8 && std::all_of(hash.begin(), hash.end(), [](char c) {
               return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
           });
}

std::string_view content_type_for(std::string_view file_name) noexcept {
    struct by_extension {
        std::string_view extension;
        std::string_view type;
    };
    static constexpr std::array types{
        by_extension{".html", "text/html; charset=utf-8"},
        by_extension{".js", "text/javascript; charset=utf-8"},
        by_extension{".mjs", "text/javascript; charset=utf-8"},
        by_extension{".css", "text/css; charset=utf-8"},
        by_extension{".json", "application/json"},
        by_extension{".map", "application/json"},
        by_extension{".webmanifest", "application/manifest+json"},
        by_extension{".svg", "image/svg+xml"},
        by_extension{".png", "image/png"},
        by_extension{".jpg", "image/jpeg"},
        by_extension{".webp", "image/webp"},
        by_extension{".ico", "image/x-icon"},
        by_extension{".woff2", "font/woff2"},
        by_extension{".txt", "text/plain; charset=utf-8"},
    };
    for (const auto& t : types) {
        if (ends_with_ci(file_name, t.extension)) {
            return t.type;
        }
    }
    return "application/octet-stream";
}

}  // namespace poki::web
