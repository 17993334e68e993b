#include "poki/http/json_body.hpp"

#include "poki/core/error.hpp"
#include "poki/core/json_parse.hpp"

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

bool sent_as_json(const request_context& ctx) {
    const auto content_type = ctx.req[field::content_type];
    return is_json_media_type({content_type.data(), content_type.size()});
}

}  // namespace

void parse_json_body(request_context& ctx) {
    if (ctx.req.body().empty() || !sent_as_json(ctx)) {
        return;
    }
    ctx.json = parse_untrusted_json(ctx.req.body());
}

const nlohmann::json& read_json_body(const request_context& ctx) {
    if (!sent_as_json(ctx)) {
        throw error{errc::unsupported_media, "Send the body as application/json."};
    }
    if (!ctx.json) {
        throw error{errc::bad_request, "The request body is empty; a JSON object is expected."};
    }
    return *ctx.json;
}

}  // namespace poki::http
