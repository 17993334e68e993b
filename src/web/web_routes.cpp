#include "poki/web/web_routes.hpp"

#include "poki/core/error.hpp"
#include "poki/http/conditional.hpp"

namespace poki::web {
namespace {

void set_page_headers(http::response& res) {
    res.set("Content-Security-Policy", content_security_policy);
    res.set("Permissions-Policy", permissions_policy);
    res.set("Referrer-Policy", "no-referrer");
    res.set(http::field::x_frame_options, "DENY");
    res.set("Cross-Origin-Opener-Policy", "same-origin");
}

struct web_handlers {
    const static_site& site;

    [[nodiscard]] awaitable<http::response> serve(http::request_context& ctx) const {
        const asset* found = site.resolve(ctx.path);
        if (found == nullptr) {
            throw error{errc::not_found, "No such resource."};
        }
        const auto accept = ctx.req[http::field::accept_encoding];
        const auto& body = found->body_for({accept.data(), accept.size()});
        const auto if_none_match = ctx.req[http::field::if_none_match];
        const bool unchanged =
            http::etag_matches({if_none_match.data(), if_none_match.size()}, body.etag);

        http::response res{unchanged ? http::status::not_modified : http::status::ok,
                           ctx.req.version()};
        res.set(http::field::etag, body.etag);
        res.set(http::field::cache_control, found->cache_control);
        if (found->has_variants()) {
            res.set(http::field::vary, "Accept-Encoding");
        }
        if (!unchanged) {
            res.set(http::field::content_type, found->content_type);
            if (body.coding != content_coding::identity) {
                res.set(http::field::content_encoding, to_string(body.coding));
            }
            res.body() = body.bytes;
        }
        if (found->is_html) {
            set_page_headers(res);
        }
        co_return res;
    }
};

}  // namespace

void add_web_routes(http::router& routes, const static_site& site) {
    routes.set_fallback("/{web_path}", http::handler_of(web_handlers{site}, &web_handlers::serve));
}

}  // namespace poki::web
