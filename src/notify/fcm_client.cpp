#include "poki/notify/fcm_client.hpp"

#include <charconv>

#include <nlohmann/json.hpp>

#include "poki/core/error.hpp"
#include "poki/core/log.hpp"

namespace poki::notify {
namespace {

std::int64_t unix_seconds() {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

std::optional<std::chrono::seconds> parse_retry_after(const std::string& text) {
    std::int64_t seconds = 0;
    const auto* end = text.data() + text.size();
    const auto [ptr, ec] = std::from_chars(text.data(), end, seconds);
    if (text.empty() || ec != std::errc{} || ptr != end || seconds < 0) {
        return std::nullopt;  // an HTTP date is rare from FCM; exponential backoff applies
    }
    return std::chrono::seconds{std::min<std::int64_t>(seconds, 3600)};
}

/// FCM's own error code (UNREGISTERED, INVALID_ARGUMENT …) from an error body.
std::string fcm_error_code(const nlohmann::json& doc) {
    const auto& error = doc.contains("error") ? doc["error"] : nlohmann::json{};
    if (error.is_object() && error.contains("details") && error["details"].is_array()) {
        for (const auto& d : error["details"]) {
            if (d.is_object() && d.contains("errorCode") && d["errorCode"].is_string()) {
                return d["errorCode"].get<std::string>();
            }
        }
    }
    if (error.is_object() && error.contains("status") && error["status"].is_string()) {
        return error["status"].get<std::string>();
    }
    return {};
}

}  // namespace

std::string fcm_request_body(const fcm_message& m) {
    const nlohmann::json body{
        {"message",
         {{"token", m.token},
          {"notification", {{"title", m.title}, {"body", m.body}}},
          // Apps drop a push whose event they already got live, by its number.
          {"data", {{"type", m.type}, {"seq", std::to_string(m.seq)}}},
          {"android", {{"priority", "high"}}},
          {"apns", {{"headers", {{"apns-priority", "10"}}}}}}}};
    return body.dump();
}

fcm_result classify_fcm_response(int status, const std::string& retry_after,
                                 const std::string& body) {
    fcm_result r;
    r.retry_after = parse_retry_after(retry_after);
    const auto doc = nlohmann::json::parse(body, nullptr, false);
    r.detail = fcm_error_code(doc);
    if (status >= 200 && status < 300) {
        r.outcome = fcm_outcome::sent;
    } else if (r.detail == "UNREGISTERED" || r.detail == "SENDER_ID_MISMATCH" ||
               (status == 404 && r.detail.empty())) {
        r.outcome = fcm_outcome::token_invalid;
    } else if (status == 400) {
        // INVALID_ARGUMENT is also what a malformed registration token gets.
        const auto message = doc.is_object() && doc.contains("error") && doc["error"].is_object() &&
                                     doc["error"].contains("message") &&
                                     doc["error"]["message"].is_string()
                                 ? doc["error"]["message"].get<std::string>()
                                 : std::string{};
        r.outcome = message.find("registration token") != std::string::npos
                        ? fcm_outcome::token_invalid
                        : fcm_outcome::failed;
    } else if (status == 401 || status == 429 || status >= 500) {
        r.outcome = fcm_outcome::retry;
    } else {
        r.outcome = fcm_outcome::failed;
    }
    if (r.detail.empty()) {
        r.detail = "HTTP " + std::to_string(status);
    }
    return r;
}

fcm_client::fcm_client(net::io_context& ioc, const push_config& cfg, service_account account)
    : config_{cfg}, account_{std::move(account)}, http_{ioc, cfg.ca_file} {
    send_url_ = cfg.send_endpoint;
    if (const auto at = send_url_.find("{project}"); at != std::string::npos) {
        send_url_.replace(at, 9, account_.project_id());
    }
    token_url_ = cfg.token_endpoint.empty() ? account_.token_uri() : cfg.token_endpoint;
    for (const auto* url : {&send_url_, &token_url_}) {
        if (!http::parse_url(*url)) {
            throw std::runtime_error{"push: not an http(s) URL: " + *url};
        }
    }
}

awaitable<std::string> fcm_client::access_token() {
    if (!token_.empty() && std::chrono::steady_clock::now() < token_expires_) {
        co_return token_;
    }
    const auto assertion = account_.assertion(token_url_, unix_seconds());
    std::string form =
        "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion=";
    form += assertion;  // base64url and dots: nothing to escape
    const std::map<std::string, std::string> no_headers;
    const auto res =
        co_await http_.post(token_url_, "application/x-www-form-urlencoded", std::move(form),
                            no_headers, std::chrono::milliseconds{config_.request_timeout_ms});
    const auto doc = nlohmann::json::parse(res.body, nullptr, false);
    if (res.status != 200 || !doc.is_object() || !doc.contains("access_token") ||
        !doc["access_token"].is_string()) {
        throw error{errc::unavailable, "FCM token endpoint answered " + std::to_string(res.status)};
    }
    token_ = doc["access_token"].get<std::string>();
    const auto lifetime = doc.contains("expires_in") && doc["expires_in"].is_number_integer()
                              ? doc["expires_in"].get<std::int64_t>()
                              : 3600;
    // Renew a minute early, so a token never expires between check and use.
    token_expires_ = std::chrono::steady_clock::now() +
                     std::chrono::seconds{std::max<std::int64_t>(0, lifetime - 60)};
    co_return token_;
}

awaitable<fcm_result> fcm_client::send(const fcm_message& m) {
    for (int attempt = 0;; ++attempt) {
        const auto token = co_await access_token();
        std::map<std::string, std::string> headers;
        headers.emplace("Authorization", "Bearer " + token);
        const auto res =
            co_await http_.post(send_url_, "application/json", fcm_request_body(m), headers,
                                std::chrono::milliseconds{config_.request_timeout_ms});
        if (res.status == 401 && attempt == 0) {
            token_.clear();  // revoked or expired early: one fresh token, one more try
            continue;
        }
        co_return classify_fcm_response(res.status, res.header("retry-after"), res.body);
    }
}

}  // namespace poki::notify
