// Turns one parsed request into one response: routing, request id, errors as problem
// details, HEAD and OPTIONS, metrics and the access log. Independent of the socket.
#pragma once

#include <string_view>

#include "poki/core/access_log.hpp"
#include "poki/core/problem.hpp"
#include "poki/core/request_id.hpp"
#include "poki/http/cors.hpp"
#include "poki/http/http_metrics.hpp"
#include "poki/http/proxy_trust.hpp"
#include "poki/http/router.hpp"
#include "poki/http/types.hpp"

namespace poki::http {

struct connection_info {
    std::string_view remote_address;
    bool secure = false;  ///< arrived over TLS
};

class dispatcher {
  public:
    dispatcher(const router& routes, http_metrics& metrics, request_id_generator& ids,
               log::access_log* access_log, proxy_trust proxies = {}, cors_policy cors = {})
        : routes_{routes}
        , metrics_{metrics}
        , ids_{ids}
        , access_log_{access_log}
        , proxies_{std::move(proxies)}
        , cors_{std::move(cors)} {}

    /// Never throws: every failure becomes a problem response. When the route answers with
    /// a stream and `stream_out` is given, the stream function is moved there and the
    /// response is its header (no Content-Length; the body ends when the connection does).
    /// Likewise a WebSocket upgrade: the function goes to `websocket_out` and the response (101)
    /// only carries the headers to add to the handshake answer.
    awaitable<response> handle(const request& req, connection_info conn,
                               stream_function* stream_out = nullptr,
                               websocket_function* websocket_out = nullptr);

    /// A response for a request that could not be parsed or read (400, 413 …), with the same
    /// headers, metrics and log line as any other.
    response reject(const problem_details& problem, std::string_view method,
                    std::string_view target, std::string_view client_request_id,
                    connection_info conn);

    [[nodiscard]] request_id_generator& ids() noexcept { return ids_; }

  private:
    void finish(response& res, const request& req, const std::string& request_id,
                const route* matched, std::chrono::steady_clock::time_point started,
                std::string_view client, bool streaming, bool upgraded, bool secure);

    const router& routes_;
    http_metrics& metrics_;
    request_id_generator& ids_;
    log::access_log* access_log_;  ///< null: no access log
    proxy_trust proxies_;
    cors_policy cors_;
};

}  // namespace poki::http
