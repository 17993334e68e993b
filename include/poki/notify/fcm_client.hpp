// Firebase Cloud Messaging, HTTP v1 API: an OAuth 2.0 access token obtained with the
// service account's signed JWT and cached until shortly before it expires, and one send
// per device token, with FCM's answer sorted into what the caller should do next.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "poki/core/config.hpp"
#include "poki/http/client.hpp"
#include "poki/notify/service_account.hpp"

namespace poki::notify {

struct fcm_message {
    std::string token;
    std::string title;
    std::string body;
    std::string type;
    std::int64_t seq = 0;
};

enum class fcm_outcome {
    sent,
    token_invalid,  ///< unregistered, malformed or another project's token: delete it
    retry,          ///< FCM is busy or failing: try again later
    failed,         ///< FCM refused the message itself; retrying will not help
};

struct fcm_result {
    fcm_outcome outcome = fcm_outcome::failed;
    std::optional<std::chrono::seconds> retry_after;  ///< from FCM's Retry-After
    std::string detail;                               ///< FCM's error code, for the log
};

/// The FCM v1 request body for one message (tested on its own).
[[nodiscard]] std::string fcm_request_body(const fcm_message& m);

/// Sorts an FCM answer (status, Retry-After, JSON error body) into an outcome.
[[nodiscard]] fcm_result classify_fcm_response(int status, const std::string& retry_after,
                                               const std::string& body);

class fcm_client {
  public:
    fcm_client(net::io_context& ioc, const push_config& cfg, service_account account);

    /// One message to one device. Throws poki::error (errc::unavailable) when FCM or its
    /// token endpoint cannot be reached. Not for concurrent callers (one worker sends).
    awaitable<fcm_result> send(const fcm_message& m);

    [[nodiscard]] const std::string& send_url() const noexcept { return send_url_; }
    [[nodiscard]] const std::string& token_url() const noexcept { return token_url_; }

  private:
    awaitable<std::string> access_token();

    const push_config& config_;
    service_account account_;
    http::client http_;
    std::string send_url_;
    std::string token_url_;
    std::string token_;
    std::chrono::steady_clock::time_point token_expires_{};
};

}  // namespace poki::notify
