#include "poki/http/dispatcher.hpp"

#include "poki/core/error.hpp"
#include "poki/core/log.hpp"
#include "poki/core/problem.hpp"
#include "poki/http/json_body.hpp"
#include "poki/http/responses.hpp"

namespace poki::http {
namespace {

double seconds_since(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

void log_access(log::access_log& out, std::string_view request_id, std::string_view method,
                std::string_view path, unsigned status, double seconds, std::string_view remote) {
    out.write(log::format_line("request", {{"request_id", request_id},
                                           {"method", method},
                                           {"path", path},
                                           {"status", status},
                                           {"duration_ms", seconds * 1000.0},
                                           {"remote", remote}}));
}

/// What every answer carries, whatever produced it: browsers must not guess content types, and
/// a browser that reached us over HTTPS must not try plain HTTP again.
void set_transport_headers(response& res, bool secure) {
    res.set("X-Content-Type-Options", "nosniff");
    if (secure) {
        res.set(field::strict_transport_security, "max-age=31536000");
    }
}

}  // namespace

awaitable<response> dispatcher::handle(const request& req, connection_info conn,
                                       stream_function* stream_out,
                                       websocket_function* websocket_out) {
    const auto started = std::chrono::steady_clock::now();
    const auto client_id = req[request_id_header];
    std::string request_id = choose_request_id({client_id.data(), client_id.size()}, ids_);
    const std::string_view target{req.target().data(), req.target().size()};
    const auto [path, query] = split_target(target);
    const auto forwarded = req["X-Forwarded-For"];
    const auto client =
        proxies_.client_address(conn.remote_address, {forwarded.data(), forwarded.size()});

    response res;
    const route* matched = nullptr;
    bool streaming = false;
    bool upgraded = false;
    if (path.empty() || path.front() != '/') {
        res = problem_response(to_problem(
            error{errc::bad_request, "The request target must be an absolute path."}, request_id));
    } else {
        auto found = routes_.match(req.method(), path);
        switch (found.kind) {
            case match_kind::not_found:
                res = problem_response(
                    to_problem(error{errc::not_found, "No such resource."}, request_id));
                break;
            case match_kind::method_not_allowed:
                if (req.method() == verb::options) {
                    res = empty_response(status::no_content);
                    (void)cors_.answer_preflight(res, req, allow_header(found.allowed));
                } else {
                    res = problem_response(to_problem(
                        error{errc::method_not_allowed, "This resource does not accept " +
                                                            std::string{req.method_string()} + "."},
                        request_id));
                }
                res.set(field::allow, allow_header(found.allowed));
                break;
            case match_kind::found: {
                matched = found.matched;
                request_context ctx{
                    req, path,         query,       std::move(found.params), request_id, client,
                    {},  std::nullopt, conn.secure, cors_.trusts(req),       {}};
                try {
                    if (!query_is_decodable(query)) {
                        throw error{errc::bad_request,
                                    "The query string has a malformed escape, U+0000 or bytes "
                                    "that are not UTF-8."};
                    }
                    parse_json_body(ctx);
                    res = co_await matched->handle(ctx);
                    if (ctx.stream && res.result() == status::ok && req.method() == verb::get &&
                        stream_out != nullptr) {
                        *stream_out = std::move(ctx.stream);
                        streaming = true;
                    }
                    if (ctx.websocket && res.result() == status::switching_protocols &&
                        req.method() == verb::get && websocket_out != nullptr) {
                        *websocket_out = std::move(ctx.websocket);
                        upgraded = true;
                    } else if (res.result() == status::switching_protocols) {
                        // A route answered 101 without a connection to hand over (or over
                        // HEAD): nothing could serve it.
                        throw std::logic_error{"101 without a websocket function"};
                    }
                } catch (const error& e) {
                    res = problem_response(to_problem(e, request_id));
                    if (e.code() == errc::method_not_allowed) {
                        res.set(field::allow, allow_header(found.allowed));
                    }
                } catch (const std::exception& e) {
                    log::error("request failed", {{"request_id", request_id},
                                                  {"route", matched->path_template},
                                                  {"exception", e.what()}});
                    res = problem_response(internal_problem(request_id));
                }
                break;
            }
        }
    }
    finish(res, req, request_id, matched, started, client, streaming, upgraded, conn.secure);
    co_return res;
}

response dispatcher::reject(const problem_details& problem, std::string_view method,
                            std::string_view target, std::string_view client_request_id,
                            connection_info conn) {
    const auto started = std::chrono::steady_clock::now();
    auto p = problem;
    p.request_id = choose_request_id(client_request_id, ids_);
    auto res = problem_response(p);
    res.set(request_id_header, p.request_id);
    set_transport_headers(res, conn.secure);
    res.keep_alive(false);
    res.prepare_payload();
    const auto seconds = seconds_since(started);
    metrics_.record(nullptr, res.result_int(), seconds);
    if (access_log_) {
        log_access(*access_log_, p.request_id, method, split_target(target).first, res.result_int(),
                   seconds, conn.remote_address);
    }
    return res;
}

void dispatcher::finish(response& res, const request& req, const std::string& request_id,
                        const route* matched, std::chrono::steady_clock::time_point started,
                        std::string_view client, bool streaming, bool upgraded, bool secure) {
    if (res.result() == status::unauthorized) {
        res.set(field::www_authenticate, "Bearer");
    }
    res.version(req.version());
    res.set(request_id_header, request_id);
    set_transport_headers(res, secure);
    cors_.decorate(res, req);
    if (upgraded) {
        // Beast writes the handshake answer; these headers are only added to it.
        res.body().clear();
    } else if (streaming) {
        // The body runs until the connection closes: no length, no keep-alive.
        res.keep_alive(false);
        res.body().clear();
        res.erase(field::content_length);
    } else {
        res.keep_alive(req.keep_alive());
        res.prepare_payload();
    }
    if (req.method() == verb::head) {
        // Keep the Content-Length a GET would have; send no body.
        res.body().clear();
    }
    const auto seconds = seconds_since(started);
    metrics_.record(matched, res.result_int(), seconds);
    if (access_log_) {
        const std::string_view target{req.target().data(), req.target().size()};
        const std::string_view method{req.method_string().data(), req.method_string().size()};
        // A path that carries a secret (a push token: /devices/{fcm_token}) is logged as its
        // template, so the secret never reaches the log.
        const bool secret_path =
            matched != nullptr && matched->path_template.find("token}") != std::string::npos;
        const std::string_view path =
            secret_path ? std::string_view{matched->path_template} : split_target(target).first;
        log_access(*access_log_, request_id, method, path, res.result_int(), seconds, client);
    }
}

}  // namespace poki::http
