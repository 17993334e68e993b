#include "poki/http/responses.hpp"

#include <nlohmann/json.hpp>

namespace poki::http {

response json_response(status code, const nlohmann::json& body) {
    return json_text_response(code,
                              body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

response json_text_response(status code, std::string body) {
    response res{code, 11};
    res.set(field::content_type, "application/json");
    res.set(field::cache_control, "no-store");
    res.body() = std::move(body);
    return res;
}

response problem_response(const problem_details& p) {
    response res{static_cast<status>(p.status), 11};
    res.set(field::content_type, "application/problem+json");
    res.set(field::cache_control, "no-store");
    if (p.retry_after) {
        res.set(field::retry_after, std::to_string(p.retry_after->count()));
    }
    res.body() = to_json(p);
    return res;
}

response text_response(status code, std::string body, std::string_view content_type) {
    response res{code, 11};
    res.set(field::content_type, content_type);
    res.body() = std::move(body);
    return res;
}

response empty_response(status code) {
    return response{code, 11};
}

}  // namespace poki::http
