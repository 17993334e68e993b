// Small cryptographic helpers over OpenSSL: randomness, hashes, HMAC, base64url.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace poki::crypto {

/// n bytes from the OS's cryptographic generator; throws std::runtime_error if it fails.
[[nodiscard]] std::string random_bytes(std::size_t n);

/// base64url without padding (RFC 4648 §5), as JWT and tokens use it.
[[nodiscard]] std::string base64url_encode(std::string_view bytes);
[[nodiscard]] std::optional<std::string> base64url_decode(std::string_view text);

/// Raw 32-byte digests.
[[nodiscard]] std::string sha256(std::string_view data);
[[nodiscard]] std::string hmac_sha256(std::string_view key, std::string_view data);
/// For coturn's shared-secret credentials, which are defined over SHA-1.
[[nodiscard]] std::string hmac_sha1(std::string_view key, std::string_view data);

/// Standard base64 with padding (RFC 4648 §4).
[[nodiscard]] std::string base64_encode(std::string_view bytes);

/// Compares without leaking, through timing, where the first difference is.
[[nodiscard]] bool constant_time_equal(std::string_view a, std::string_view b) noexcept;

}  // namespace poki::crypto
