#include "poki/auth/auth_routes.hpp"

#include "poki/auth/auth_json.hpp"
#include "poki/auth/bearer.hpp"
#include "poki/core/json_reader.hpp"
#include "poki/http/cookies.hpp"
#include "poki/http/json_body.hpp"
#include "poki/http/responses.hpp"

namespace poki::auth {
namespace {

signup_request read_signup(const nlohmann::json& body) {
    json_reader in{body};
    in.reject_unknown({"email", "password", "display_name", "family_name"});
    signup_request r;
    r.email = read_email(in, "email", true).value_or("");
    r.password = read_new_password(in);
    r.display_name = in.required_string("display_name", {.min_chars = 1, .max_chars = 40});
    r.family_name = in.optional_string("family_name", {.min_chars = 1, .max_chars = 60});
    in.finish();
    return r;
}

login_request read_login(const nlohmann::json& body) {
    json_reader in{body};
    in.reject_unknown({"email", "login", "password"});
    login_request r;
    r.email = in.optional_string("email", {.min_chars = 1, .max_chars = 254});
    r.login = in.optional_string("login", {.min_chars = 1, .max_chars = 40});
    r.password = in.required_string("password", {.min_chars = 0, .max_chars = 1024, .trim = false});
    if (in.ok() && r.email.has_value() == r.login.has_value()) {
        in.add_error(r.email ? "login" : "email", "email_or_login", "Send either email or login.");
    }
    in.finish();
    return r;
}

std::string read_refresh_token(const nlohmann::json& body) {
    json_reader in{body};
    in.reject_unknown({"refresh_token"});
    auto token =
        in.required_string("refresh_token", {.min_chars = 1, .max_chars = 200, .trim = false});
    in.finish();
    return token;
}

/// The browser's refresh cookie, when it sent one that could be a token.
std::optional<std::string> refresh_cookie_of(const http::request_context& ctx) {
    const auto header = ctx.req[http::field::cookie];
    const auto token = http::find_cookie({header.data(), header.size()}, refresh_cookie_name);
    if (!token || token->empty() || token->size() > 200) {
        return std::nullopt;
    }
    return std::string{*token};
}

/// The refresh token of a cookie session; a JSON body, if sent, must be empty.
std::string read_refresh_cookie(const http::request_context& ctx) {
    if (ctx.json) {
        json_reader in{*ctx.json};
        in.reject_unknown({});
        in.finish();
    }
    auto token = refresh_cookie_of(ctx);
    if (!token) {
        throw error{errc::unauthorized, "no_session",
                    "This browser has no session: sign in again."};
    }
    return std::move(*token);
}

std::string cleared_refresh_cookie(const http::request_context& ctx) {
    return http::set_cookie(refresh_cookie_name, "",
                            {refresh_cookie_path, std::chrono::seconds{0}, ctx.secure});
}

struct auth_handlers {
    auth_service& service;

    [[nodiscard]] awaitable<http::response> signup(http::request_context& ctx) const {
        const bool cookie = wants_cookie_session(ctx);
        auto request = read_signup(http::read_json_body(ctx));
        const auto tokens = co_await service.signup(std::move(request));
        co_return session_response(ctx, http::status::created, tokens, cookie);
    }

    [[nodiscard]] awaitable<http::response> login(http::request_context& ctx) const {
        const bool cookie = wants_cookie_session(ctx);
        auto request = read_login(http::read_json_body(ctx));
        auto address = ctx.remote_address;
        const auto tokens = co_await service.login(std::move(request), std::move(address));
        co_return session_response(ctx, http::status::ok, tokens, cookie);
    }

    [[nodiscard]] awaitable<http::response> refresh(http::request_context& ctx) const {
        const bool cookie = wants_cookie_session(ctx);
        auto token =
            cookie ? read_refresh_cookie(ctx) : read_refresh_token(http::read_json_body(ctx));
        const auto tokens = co_await service.refresh(std::move(token));
        co_return session_response(ctx, http::status::ok, tokens, cookie);
    }

    [[nodiscard]] awaitable<http::response> logout(http::request_context& ctx) const {
        const bool cookie = wants_cookie_session(ctx);
        const auto who = co_await require_principal(ctx, service);
        if (!cookie) {
            auto token = read_refresh_token(http::read_json_body(ctx));
            co_await service.logout(who, std::move(token));
            co_return http::empty_response(http::status::no_content);
        }
        // The cookie goes whatever happens: a browser that logs out holds no session after.
        auto res = http::empty_response(http::status::no_content);
        res.set(http::field::set_cookie, cleared_refresh_cookie(ctx));
        if (auto token = refresh_cookie_of(ctx)) {
            co_await service.logout(who, std::move(*token));
        }
        co_return res;
    }

    [[nodiscard]] awaitable<http::response> logout_everywhere(http::request_context& ctx) const {
        const bool cookie = wants_cookie_session(ctx);
        const auto who = co_await require_principal(ctx, service);
        co_await service.logout_everywhere(who);
        auto res = http::empty_response(http::status::no_content);
        if (cookie) {
            res.set(http::field::set_cookie, cleared_refresh_cookie(ctx));
        }
        co_return res;
    }

    [[nodiscard]] awaitable<http::response> stream_ticket(http::request_context& ctx) const {
        const auto who = co_await require_principal(ctx, service);
        const auto ticket = co_await service.issue_stream_ticket(who);
        co_return http::json_response(
            http::status::created, {{"ticket", ticket.ticket}, {"expires_in", ticket.expires_in}});
    }

    [[nodiscard]] awaitable<http::response> me(http::request_context& ctx) const {
        const auto who = co_await require_principal(ctx, service);
        const auto user = co_await service.me(who);
        auto body = user_json(user);
        body["family"] = {{"id", user.family_id}, {"name", user.family_name}};
        co_return http::json_response(http::status::ok, body);
    }
};

}  // namespace

bool wants_cookie_session(const http::request_context& ctx) {
    const auto mode = ctx.req[session_mode_header];
    if (mode.empty()) {
        return false;
    }
    if (std::string_view{mode.data(), mode.size()} != "cookie") {
        throw error{errc::bad_request, "X-Poki-Session must be \"cookie\"."};
    }
    if (!ctx.trusted_origin) {
        throw error{errc::forbidden, "untrusted_origin",
                    "A browser session is only for this site's own pages and the origins "
                    "http.allowed_origins lists."};
    }
    return true;
}

http::response session_response(const http::request_context& ctx, http::status code,
                                const session_tokens& tokens, bool cookie_session) {
    auto body = tokens_json(tokens);
    if (!cookie_session) {
        return http::json_response(code, body);
    }
    body.erase("refresh_token");
    auto res = http::json_response(code, body);
    res.set(http::field::set_cookie,
            http::set_cookie(refresh_cookie_name, tokens.refresh_token,
                             {refresh_cookie_path, std::chrono::seconds{tokens.refresh_expires_in},
                              ctx.secure}));
    return res;
}

void add_auth_routes(http::router& routes, auth_service& service) {
    const auth_handlers h{service};
    using http::verb;
    routes.add(verb::post, "/api/v1/auth/signup", http::handler_of(h, &auth_handlers::signup));
    routes.add(verb::post, "/api/v1/auth/login", http::handler_of(h, &auth_handlers::login));
    routes.add(verb::post, "/api/v1/auth/refresh", http::handler_of(h, &auth_handlers::refresh));
    routes.add(verb::post, "/api/v1/auth/logout", http::handler_of(h, &auth_handlers::logout));
    routes.add(verb::post, "/api/v1/auth/logout-everywhere",
               http::handler_of(h, &auth_handlers::logout_everywhere));
    routes.add(verb::post, "/api/v1/stream-tickets",
               http::handler_of(h, &auth_handlers::stream_ticket));
    routes.add(verb::get, "/api/v1/me", http::handler_of(h, &auth_handlers::me));
}

}  // namespace poki::auth
