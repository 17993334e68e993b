#include "poki/core/problem.hpp"

#include <nlohmann/json.hpp>

namespace poki {
namespace {

struct problem_kind {
    int status;
    std::string_view title;
};

problem_kind kind_of(errc code) noexcept {
    switch (code) {
        case errc::bad_request:
            return {400, "Bad request"};
        case errc::validation_failed:
            return {422, "Invalid input"};
        case errc::unauthorized:
            return {401, "Authentication required"};
        case errc::forbidden:
            return {403, "Not allowed"};
        case errc::not_found:
            return {404, "Not found"};
        case errc::method_not_allowed:
            return {405, "Method not allowed"};
        case errc::conflict:
            return {409, "Conflict"};
        case errc::payload_too_large:
            return {413, "Payload too large"};
        case errc::header_too_large:
            return {431, "Request header fields too large"};
        case errc::unsupported_media:
            return {415, "Unsupported media type"};
        case errc::too_many_requests:
            return {429, "Too many requests"};
        case errc::unavailable:
            return {503, "Service unavailable"};
        case errc::internal:
            return {500, "Internal server error"};
    }
    return {500, "Internal server error"};
}

std::string type_uri(std::string_view code) {
    std::string uri{"/problems/"};
    for (const char c : code) {
        uri.push_back(c == '_' ? '-' : c);
    }
    return uri;
}

}  // namespace

int http_status(errc code) noexcept {
    return kind_of(code).status;
}

problem_details to_problem(const error& e, std::string_view request_id) {
    if (e.code() == errc::internal) {
        return internal_problem(request_id);
    }
    const auto kind = kind_of(e.code());
    problem_details p;
    p.status = kind.status;
    p.category = std::string{to_string(e.code())};
    p.code = e.reason().empty() ? p.category : e.reason();
    p.type = type_uri(p.category);
    p.title = std::string{kind.title};
    p.detail = e.detail();
    p.errors = e.fields();
    p.retry_after = e.retry_after();
    p.extensions = e.extensions();
    p.request_id = std::string{request_id};
    return p;
}

problem_details internal_problem(std::string_view request_id) {
    problem_details p;
    p.status = 500;
    p.code = std::string{to_string(errc::internal)};
    p.category = p.code;
    p.type = type_uri(p.code);
    p.title = std::string{kind_of(errc::internal).title};
    p.detail = "Something went wrong on our side. Quote the request id when reporting it.";
    p.request_id = std::string{request_id};
    return p;
}

std::string to_json(const problem_details& p) {
    nlohmann::json body{
        {"type", p.type},     {"title", p.title}, {"status", p.status},
        {"detail", p.detail}, {"code", p.code},   {"category", p.category},
    };
    if (!p.errors.empty()) {
        auto& errors = body["errors"] = nlohmann::json::array();
        for (const auto& f : p.errors) {
            auto& entry = errors.emplace_back(
                nlohmann::json{{"field", f.field}, {"message", f.message}, {"code", f.code}});
            if (!f.limits.empty()) {
                auto& limits = entry["params"] = nlohmann::json::object();
                for (const auto& [name, value] : f.limits) {
                    limits[name] = value;
                }
            }
        }
    }
    if (p.retry_after) {
        body["retry_after"] = p.retry_after->count();
    }
    if (!p.request_id.empty()) {
        body["request_id"] = p.request_id;
    }
    for (const auto& [name, value] : p.extensions) {
        if (!body.contains(name)) {  // never shadows a standard member
            body[name] = value;
        }
    }
    return body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace poki
