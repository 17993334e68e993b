#include "poki/auth/auth_routes.hpp"

#include "poki/auth/bearer.hpp"
#include "poki/core/json_reader.hpp"
#include "poki/http/json_body.hpp"
#include "poki/http/responses.hpp"

namespace poki::auth {
namespace {

constexpr string_rule password_rule{.min_chars = 0, .max_chars = 1024, .trim = false};

bool looks_like_email(std::string_view email) {
    const auto at = email.find('@');
    if (at == std::string_view::npos || at == 0 ||
        email.find('@', at + 1) != std::string_view::npos) {
        return false;
    }
    const auto domain = email.substr(at + 1);
    const auto dot = domain.find('.');
    return dot != std::string_view::npos && dot > 0 && dot + 1 < domain.size() &&
           email.find_first_of(" \t\r\n,;<>\"") == std::string_view::npos;
}

void check_new_password(json_reader& in, const std::string& password) {
    const auto length = utf8_length(password).value_or(0);
    if (length < min_password_chars) {
        in.add_error("password",
                     "Must be at least " + std::to_string(min_password_chars) + " characters.");
    } else if (length > max_password_chars) {
        in.add_error("password",
                     "Must be at most " + std::to_string(max_password_chars) + " characters.");
    }
}

nlohmann::json user_json(const user_record& u) {
    nlohmann::json j{{"id", u.id},
                     {"family_id", u.family_id},
                     {"role", to_string(u.role)},
                     {"display_name", u.display_name},
                     {"avatar_color", u.avatar_color},
                     {"email", nullptr},
                     {"login", nullptr}};
    if (u.email) {
        j["email"] = *u.email;
    }
    if (u.login) {
        j["login"] = *u.login;
    }
    return j;
}

http::response tokens_response(http::status code, const session_tokens& t) {
    return http::json_response(code, {{"access_token", t.access_token},
                                      {"refresh_token", t.refresh_token},
                                      {"token_type", "Bearer"},
                                      {"expires_in", t.expires_in},
                                      {"user", user_json(t.user)}});
}

signup_request read_signup(const nlohmann::json& body) {
    json_reader in{body};
    in.reject_unknown({"email", "password", "display_name", "family_name"});
    signup_request r;
    r.email = in.required_string("email", {.min_chars = 3, .max_chars = 254});
    if (!r.email.empty() && !looks_like_email(r.email)) {
        in.add_error("email", "Must be an email address.");
    }
    r.password = in.required_string("password", password_rule);
    if (in.errors().empty() || !r.password.empty()) {
        check_new_password(in, r.password);
    }
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
    r.password = in.required_string("password", password_rule);
    if (in.ok() && r.email.has_value() == r.login.has_value()) {
        in.add_error(r.email ? "login" : "email", "Send either email or login.");
    }
    in.finish();
    return r;
}

bool is_login_name(std::string_view login) {
    return login.size() >= 3 && login.size() <= 32 &&
           login.find_first_not_of(
               "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") ==
               std::string_view::npos;
}

join_request read_join(const nlohmann::json& body) {
    json_reader in{body};
    in.reject_unknown({"code", "display_name", "login", "password", "email"});
    join_request r;
    r.code = in.required_string("code", {.min_chars = 1, .max_chars = 16});
    r.display_name = in.required_string("display_name", {.min_chars = 1, .max_chars = 40});
    r.login = in.required_string("login", {.min_chars = 1, .max_chars = 32});
    if (!r.login.empty() && !is_login_name(r.login)) {
        in.add_error("login", "Use 3 to 32 letters, digits, dots, dashes or underscores.");
    }
    r.password = in.required_string("password", password_rule);
    if (!r.password.empty() || in.ok()) {
        check_new_password(in, r.password);
    }
    r.email = in.optional_string("email", {.min_chars = 3, .max_chars = 254});
    if (r.email && !looks_like_email(*r.email)) {
        in.add_error("email", "Must be an email address.");
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

}  // namespace

void add_auth_routes(http::router& routes, auth_service& service) {
    routes.add(http::verb::post, "/api/v1/auth/signup",
               [&service](http::request_context& ctx) -> awaitable<http::response> {
                   auto request = read_signup(http::read_json_body(ctx));
                   const auto tokens = co_await service.signup(std::move(request));
                   co_return tokens_response(http::status::created, tokens);
               });

    routes.add(http::verb::post, "/api/v1/auth/login",
               [&service](http::request_context& ctx) -> awaitable<http::response> {
                   auto request = read_login(http::read_json_body(ctx));
                   auto address = ctx.remote_address;
                   const auto tokens =
                       co_await service.login(std::move(request), std::move(address));
                   co_return tokens_response(http::status::ok, tokens);
               });

    routes.add(http::verb::post, "/api/v1/auth/refresh",
               [&service](http::request_context& ctx) -> awaitable<http::response> {
                   auto token = read_refresh_token(http::read_json_body(ctx));
                   const auto tokens = co_await service.refresh(std::move(token));
                   co_return tokens_response(http::status::ok, tokens);
               });

    routes.add(http::verb::post, "/api/v1/auth/logout",
               [&service](http::request_context& ctx) -> awaitable<http::response> {
                   const auto who = co_await require_principal(ctx, service);
                   auto token = read_refresh_token(http::read_json_body(ctx));
                   co_await service.logout(who, std::move(token));
                   co_return http::empty_response(http::status::no_content);
               });

    routes.add(http::verb::post, "/api/v1/auth/join",
               [&service](http::request_context& ctx) -> awaitable<http::response> {
                   auto request = read_join(http::read_json_body(ctx));
                   auto address = ctx.remote_address;
                   const auto tokens =
                       co_await service.join(std::move(request), std::move(address));
                   co_return tokens_response(http::status::created, tokens);
               });

    routes.add(http::verb::post, "/api/v1/stream-tickets",
               [&service](http::request_context& ctx) -> awaitable<http::response> {
                   const auto who = co_await require_principal(ctx, service);
                   const auto ticket = co_await service.issue_stream_ticket(who);
                   co_return http::json_response(
                       http::status::created,
                       {{"ticket", ticket.ticket}, {"expires_in", ticket.expires_in}});
               });

    routes.add(http::verb::get, "/api/v1/me",
               [&service](http::request_context& ctx) -> awaitable<http::response> {
                   const auto who = co_await require_principal(ctx, service);
                   const auto user = co_await service.me(who);
                   auto body = user_json(user);
                   body["family"] = {{"id", user.family_id}, {"name", user.family_name}};
                   co_return http::json_response(http::status::ok, body);
               });
}

}  // namespace poki::auth
