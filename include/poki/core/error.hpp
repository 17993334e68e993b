// The one error type for expected failures (validation, not found, conflict, …).
// Services return poki::result<T>; routes unwrap it, and an error ends up as problem details.
#pragma once

#include <chrono>
#include <cstdint>
#include <exception>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/system/result.hpp>

namespace poki {

/// What went wrong, independent of the protocol. Mapped to HTTP in exactly one place.
enum class errc {
    bad_request,        ///< syntactically broken request (malformed JSON, bad header)
    validation_failed,  ///< well-formed but invalid input; field errors say which
    unauthorized,       ///< missing or invalid credentials
    forbidden,          ///< authenticated, but the role may not do this
    not_found,          ///< no such resource (or one of another family)
    method_not_allowed,
    conflict,           ///< the resource's state forbids the change
    payload_too_large,  ///< body over the configured limit
    header_too_large,   ///< request header over the configured limit (431)
    unsupported_media,  ///< body is not JSON where JSON is required
    too_many_requests,  ///< rate limit; retry_after says when to try again
    unavailable,        ///< a dependency (PostgreSQL, Redis) is down or exhausted
    internal,           ///< a bug or an unexpected failure; details only in the log
};

/// One invalid input field, reported in problem details' errors[]. `code` is what an app
/// translates ("required", "too_long" …) and `limits` the numbers its text needs ({max: 40}).
struct field_error {
    std::string field;
    std::string message;
    std::string code = "invalid";
    std::vector<std::pair<std::string, std::int64_t>> limits;
    friend bool operator==(const field_error&, const field_error&) = default;
};

/// An expected failure. It is a value; it is also thrown from routes (via result::value()) and
/// caught once per request.
class error : public std::exception {
  public:
    error(errc code, std::string detail) : code_{code}, detail_{std::move(detail)} {}
    /// With the specific, stable reason an app translates ("email_taken"); problem details
    /// carry it as `code` and the errc as `category`.
    error(errc code, std::string_view reason, std::string detail)
        : code_{code}, reason_{reason}, detail_{std::move(detail)} {}
    /// An unexpected failure with no detail (result<T>::error() of a success needs one).
    error() = default;

    static error validation(std::vector<field_error> fields);
    static error validation(std::string field, std::string message);
    /// One invalid field with its stable code ("code_expired").
    static error validation(std::string field, std::string_view field_code, std::string message);
    static error too_many(std::chrono::seconds retry_after, std::string detail);
    /// A dependency or a bounded queue is full for now (503 with Retry-After).
    static error busy(std::chrono::seconds retry_after, std::string detail);
    /// A change the resource's current state forbids; `state` is reported as `state`.
    static error conflict_in_state(std::string detail, std::string state);
    /// A rate limit with its reason ("too_many_login_attempts").
    static error too_many(std::chrono::seconds retry_after, std::string_view reason,
                          std::string detail);

    [[nodiscard]] errc code() const noexcept { return code_; }
    /// The specific stable reason; empty when the errc says it all.
    [[nodiscard]] const std::string& reason() const noexcept { return reason_; }
    [[nodiscard]] const std::string& detail() const noexcept { return detail_; }
    [[nodiscard]] const std::vector<field_error>& fields() const noexcept { return fields_; }
    [[nodiscard]] std::optional<std::chrono::seconds> retry_after() const noexcept {
        return retry_after_;
    }
    /// Extra problem-details members (name, text) that tell a client what it needs to recover.
    [[nodiscard]] const std::vector<std::pair<std::string, std::string>>& extensions()
        const noexcept {
        return extensions_;
    }
    [[nodiscard]] const char* what() const noexcept override { return detail_.c_str(); }

  private:
    errc code_ = errc::internal;
    std::string reason_;
    std::string detail_;
    std::vector<field_error> fields_;
    std::optional<std::chrono::seconds> retry_after_;
    std::vector<std::pair<std::string, std::string>> extensions_;
};

/// Lets result<T>::value() throw the poki::error itself rather than a system_error.
[[noreturn]] void throw_exception_from_error(const error& e, const boost::source_location& loc);

template <class T>
using result = boost::system::result<T, error>;

/// The stable machine name of an errc ("not_found"), used as problem details' `code`.
[[nodiscard]] std::string_view to_string(errc code) noexcept;

}  // namespace poki
