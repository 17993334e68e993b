// Everything a route handler gets about one request.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "poki/http/route_params.hpp"
#include "poki/http/streaming.hpp"
#include "poki/http/types.hpp"
#include "poki/http/websocket.hpp"

namespace poki::http {

struct request_context {
    const request& req;
    std::string_view path;   ///< target without the query string
    std::string_view query;  ///< after '?', undecoded; never logged (it may carry tickets)
    route_params params;
    std::string request_id;
    std::string remote_address;
    /// A handler that answers with a stream sets this and returns the response header
    /// (status 200, no body); the connection is then handed to it.
    stream_function stream;
    /// The body, when it was sent as JSON (parsed by the dispatcher before the route runs).
    std::optional<nlohmann::json> json;
    /// Arrived over TLS (cookies it sets are then `Secure`).
    bool secure = false;
    /// Its Origin is this server or a configured origin (cors_policy::trusts): what a route
    /// that acts on a cookie requires, so another site cannot make a browser call it.
    bool trusted_origin = false;
    /// A handler that accepts a WebSocket upgrade sets this and returns status 101 (its
    /// headers join Beast's handshake answer); the connection is then handed to it.
    websocket_function websocket;

    /// A query parameter, percent-decoded; nullopt when absent.
    [[nodiscard]] std::optional<std::string> query_param(std::string_view name) const;
    /// The token of `Authorization: Bearer <token>` (the scheme in any case); nullopt when
    /// there is no such header or it is empty.
    [[nodiscard]] std::optional<std::string_view> bearer_token() const;
};

/// Splits a request target into path and query.
[[nodiscard]] std::pair<std::string_view, std::string_view> split_target(std::string_view target);

/// Percent-decodes a URL component; '+' stays '+' unless plus_is_space. nullopt on bad escapes,
/// on U+0000 and on bytes that are not UTF-8.
[[nodiscard]] std::optional<std::string> percent_decode(std::string_view text, bool plus_is_space);

/// Every name and value of the query string decodes (the dispatcher answers 400 otherwise, so
/// a route never mistakes an undecodable parameter for a missing one).
[[nodiscard]] bool query_is_decodable(std::string_view query);

}  // namespace poki::http
