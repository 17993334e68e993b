// Cross-origin requests from the configured web origins only (http.allowed_origins): a web
// app served from another origin (a staging front end, a native shell) may call the API;
// any other origin gets no CORS headers, so browsers keep its pages out.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "poki/http/types.hpp"

namespace poki::http {

class cors_policy {
  public:
    cors_policy() = default;
    /// Comma-separated origins, each "scheme://host[:port]" (no path, no trailing slash).
    /// Throws std::invalid_argument naming the first one that is not.
    explicit cors_policy(std::string_view origins);

    [[nodiscard]] bool allows(std::string_view origin) const noexcept;

    /// Whether the request says it comes from a page we trust: an Origin header naming this
    /// server itself (its host and port are the Host header) or one of the configured
    /// origins. Browsers always send Origin on a POST, and a page cannot forge it.
    [[nodiscard]] bool trusts(const request& req) const noexcept;

    /// For a request from an allowed origin: who may read the answer, and which of its
    /// headers a script may see. Nothing for any other origin or no Origin at all.
    void decorate(response& res, const request& req) const;

    /// Whether `req` is a CORS preflight (OPTIONS with Access-Control-Request-Method) from an
    /// allowed origin; if so, `res` gets the methods `allow` names and the headers apps send.
    [[nodiscard]] bool answer_preflight(response& res, const request& req,
                                        std::string_view allow) const;

  private:
    std::vector<std::string> origins_;
};

}  // namespace poki::http
