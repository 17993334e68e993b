#include "poki/auth/auth_routes.hpp"

#include "poki/auth/auth_json.hpp"
#include "poki/auth/bearer.hpp"
#include "poki/core/json_reader.hpp"
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
        in.add_error(r.email ? "login" : "email", "Send either email or login.");
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

struct auth_handlers {
    auth_service& service;

    [[nodiscard]] awaitable<http::response> signup(http::request_context& ctx) const {
        auto request = read_signup(http::read_json_body(ctx));
        const auto tokens = co_await service.signup(std::move(request));
        co_return http::json_response(http::status::created, tokens_json(tokens));
    }

    [[nodiscard]] awaitable<http::response> login(http::request_context& ctx) const {
        auto request = read_login(http::read_json_body(ctx));
        auto address = ctx.remote_address;
        const auto tokens = co_await service.login(std::move(request), std::move(address));
        co_return http::json_response(http::status::ok, tokens_json(tokens));
    }

    [[nodiscard]] awaitable<http::response> refresh(http::request_context& ctx) const {
        auto token = read_refresh_token(http::read_json_body(ctx));
        const auto tokens = co_await service.refresh(std::move(token));
        co_return http::json_response(http::status::ok, tokens_json(tokens));
    }

    [[nodiscard]] awaitable<http::response> logout(http::request_context& ctx) const {
        const auto who = co_await require_principal(ctx, service);
        auto token = read_refresh_token(http::read_json_body(ctx));
        co_await service.logout(who, std::move(token));
        co_return http::empty_response(http::status::no_content);
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

void add_auth_routes(http::router& routes, auth_service& service) {
    const auth_handlers h{service};
    using http::verb;
    routes.add(verb::post, "/api/v1/auth/signup", http::handler_of(h, &auth_handlers::signup));
    routes.add(verb::post, "/api/v1/auth/login", http::handler_of(h, &auth_handlers::login));
    routes.add(verb::post, "/api/v1/auth/refresh", http::handler_of(h, &auth_handlers::refresh));
    routes.add(verb::post, "/api/v1/auth/logout", http::handler_of(h, &auth_handlers::logout));
    routes.add(verb::post, "/api/v1/stream-tickets",
               http::handler_of(h, &auth_handlers::stream_ticket));
    routes.add(verb::get, "/api/v1/me", http::handler_of(h, &auth_handlers::me));
}

}  // namespace poki::auth
