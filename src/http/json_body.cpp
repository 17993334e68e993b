#include "poki/http/json_body.hpp"

#include "poki/core/error.hpp"

namespace poki::http {
namespace {

bool is_json_media_type(std::string_view content_type) {
    const auto semicolon = content_type.find(';');
    auto media = content_type.substr(0, semicolon);
    while (!media.empty() && media.back() == ' ') {
        media.remove_suffix(1);
    }
    std::string lower{media};
    for (auto& c : lower) {
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return lower == "application/json" ||
           (lower.starts_with("application/") && lower.ends_with("+json"));
}

}  // namespace

nlohmann::json read_json_body(const request_context& ctx) {
    const auto content_type = ctx.req[field::content_type];
    if (!is_json_media_type({content_type.data(), content_type.size()})) {
        throw error{errc::unsupported_media, "Send the body as application/json."};
    }
    if (ctx.req.body().empty()) {
        throw error{errc::bad_request, "The request body is empty; a JSON object is expected."};
    }
    auto document = nlohmann::json::parse(ctx.req.body(), nullptr, /*allow_exceptions=*/false);
    if (document.is_discarded()) {
        // Find where it broke, for the client's benefit, without echoing the body.
        try {
            [[maybe_unused]] auto again = nlohmann::json::parse(ctx.req.body());
        } catch (const nlohmann::json::parse_error& e) {
            if (std::string_view{e.what()}.find("ill-formed UTF-8") != std::string_view::npos) {
                // Well-formed JSON carrying text that is not UTF-8: the content is refused,
                // not the syntax.
                throw error::validation("", "Every string must be valid UTF-8 (error at byte " +
                                                std::to_string(e.byte) + ").");
            }
            throw error{errc::bad_request, "The body is not valid JSON (error at byte " +
                                               std::to_string(e.byte) + ")."};
        }
        throw error{errc::bad_request, "The body is not valid JSON."};
    }
    return document;
}

}  // namespace poki::http
