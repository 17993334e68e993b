// Beast aliases for the http module and the routes; nothing below routes sees these.
#pragma once

#include <string_view>

#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "poki/core/net.hpp"

namespace poki::http {

namespace beast = boost::beast;
using request = beast::http::request<beast::http::string_body>;
using response = beast::http::response<beast::http::string_body>;
using status = beast::http::status;
using verb = beast::http::verb;
using field = beast::http::field;

/// Carries the request id in both directions.
inline constexpr std::string_view request_id_header{"X-Request-Id"};

}  // namespace poki::http
