// The built web app, held in memory: every file of the web root read once at start, with its
// precompressed variants, content type, cache policy and ETags, so serving a file is a lookup
// and never a file read on an io thread. No Beast here: web_routes turns an asset into a reply.
#pragma once

#include <cstddef>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace poki::web {

enum class content_coding { identity, gzip, br };

/// "gzip", "br"; empty for identity (no Content-Encoding header).
[[nodiscard]] std::string_view to_string(content_coding coding) noexcept;

/// One stored form of a file's bytes.
struct encoded_body {
    content_coding coding = content_coding::identity;
    std::string bytes;
    std::string etag;  ///< strong, quoted, from the hash of these bytes
};

struct asset {
    std::string content_type;
    std::string cache_control;
    bool is_html = false;
    /// The identity form first; gzip and br follow when the build wrote them.
    std::vector<encoded_body> bodies;

    /// The form to send for an Accept-Encoding header value (br, then gzip, then identity
    /// among those the client accepts; identity when it accepts none).
    [[nodiscard]] const encoded_body& body_for(std::string_view accept_encoding) const;
    [[nodiscard]] bool has_variants() const noexcept { return bodies.size() > 1; }
};

/// Thrown by static_site::load when the root cannot be served as it is.
class site_error : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

class static_site {
  public:
    static constexpr std::size_t default_max_bytes = std::size_t{64} << 20U;

    /// Reads every regular file under `root` (names starting with '.' are skipped; a `.gz`
    /// or `.br` file becomes a variant of the file it compresses). Throws site_error when the
    /// root is not a directory, has no index.html, a file cannot be read or the files
    /// together pass `max_bytes`.
    [[nodiscard]] static static_site load(const std::filesystem::path& root,
                                          std::size_t max_bytes = default_max_bytes);

    /// What a GET of this request path answers: the file itself, the app page (index.html)
    /// for a client route such as `/family` or `/chat/3`, or null for a path the app does not
    /// own (the API and operator paths), an undecodable or escaping path, or a missing file
    /// (a last segment with a '.' is a file name, not a client route).
    [[nodiscard]] const asset* resolve(std::string_view raw_path) const;

    [[nodiscard]] std::size_t file_count() const noexcept { return files_.size(); }
    [[nodiscard]] std::size_t total_bytes() const noexcept { return total_bytes_; }

  private:
    std::unordered_map<std::string, asset> files_;  ///< by path from the root: "/index.html"
    const asset* app_page_ = nullptr;
    std::size_t total_bytes_ = 0;
};

/// Paths the web app never answers: the API, probes, metrics and calendar feeds.
[[nodiscard]] bool is_reserved_path(std::string_view path) noexcept;

/// Whether a file name carries the build's content hash (`app-5XK2B3QZ.js`): such a file
/// never changes under its name, so browsers may keep it for a year.
[[nodiscard]] bool has_content_hash(std::string_view file_name) noexcept;

/// The Content-Type for a file name, by extension; application/octet-stream when unknown.
[[nodiscard]] std::string_view content_type_for(std::string_view file_name) noexcept;

}  // namespace poki::web
