// A Google service account (the JSON file from the Firebase console) and the signed JWT
// that OAuth 2.0 exchanges for an access token (RFC 7523, RS256).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

namespace poki::notify {

/// The OAuth scope that lets a token send FCM messages.
inline constexpr std::string_view fcm_scope = "https://www.googleapis.com/auth/firebase.messaging";

class service_account {
  public:
    /// Reads and checks the JSON file; throws std::runtime_error naming what is wrong (never
    /// the key itself).
    static service_account load(const std::string& path);
    /// From the JSON text.
    static service_account parse(const std::string& json_text);

    ~service_account();
    service_account(service_account&&) noexcept;
    service_account& operator=(service_account&&) noexcept;
    service_account(const service_account&) = delete;
    service_account& operator=(const service_account&) = delete;

    [[nodiscard]] const std::string& client_email() const noexcept { return client_email_; }
    [[nodiscard]] const std::string& project_id() const noexcept { return project_id_; }
    [[nodiscard]] const std::string& token_uri() const noexcept { return token_uri_; }

    /// The JWT bearer assertion for `audience` (the token endpoint), valid for an hour from
    /// `now_s` (Unix seconds).
    [[nodiscard]] std::string assertion(const std::string& audience, std::int64_t now_s) const;

  private:
    struct key;
    service_account() = default;

    std::string client_email_;
    std::string project_id_;
    std::string token_uri_;
    std::string key_id_;
    std::unique_ptr<key> key_;
};

}  // namespace poki::notify
