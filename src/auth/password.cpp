#include "poki/auth/password.hpp"

#include <charconv>
#include <optional>
#include <stdexcept>

#include <openssl/evp.h>

#include "poki/core/crypto.hpp"

namespace poki::auth {

using crypto::base64url_decode;
using crypto::base64url_encode;
using crypto::constant_time_equal;
using crypto::random_bytes;
namespace {

constexpr std::uint64_t block_size = 8;   // r
constexpr std::uint64_t parallelism = 1;  // p
constexpr std::size_t key_length = 32;
constexpr std::size_t salt_length = 16;

std::string derive(std::string_view password, std::string_view salt, int log2_n, std::uint64_t r,
                   std::uint64_t p) {
    const std::uint64_t n = std::uint64_t{1} << static_cast<unsigned>(log2_n);
    // scrypt needs 128·r·N bytes; allow that plus slack.
    const std::uint64_t max_memory = 128 * r * n + (std::uint64_t{1} << 20U);
    std::string key(key_length, '\0');
    // NOLINTBEGIN(cppcoreguidelines-pro-type-reinterpret-cast): OpenSSL takes bytes
    if (EVP_PBE_scrypt(password.data(), password.size(),
                       reinterpret_cast<const unsigned char*>(salt.data()), salt.size(), n, r, p,
                       max_memory, reinterpret_cast<unsigned char*>(key.data()), key.size()) != 1) {
        throw std::runtime_error{"scrypt failed"};
    }
    // NOLINTEND(cppcoreguidelines-pro-type-reinterpret-cast)
    return key;
}

struct parsed_hash {
    int log2_n = 0;
    std::uint64_t r = 0;
    std::uint64_t p = 0;
    std::string salt;
    std::string key;
};

template <class T>
bool parse_number(std::string_view text, T& out) {
    const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    return ec == std::errc{} && ptr == text.data() + text.size();
}

std::optional<parsed_hash> parse(std::string_view encoded) {
    // $scrypt$ln=15,r=8,p=1$salt$key
    constexpr std::string_view prefix{"$scrypt$ln="};
    if (!encoded.starts_with(prefix)) {
        return std::nullopt;
    }
    encoded.remove_prefix(prefix.size());
    const auto params_end = encoded.find('$');
    if (params_end == std::string_view::npos) {
        return std::nullopt;
    }
    const auto params = encoded.substr(0, params_end);
    const auto rest = encoded.substr(params_end + 1);
    const auto r_pos = params.find(",r=");
    const auto p_pos = params.find(",p=");
    const auto salt_end = rest.find('$');
    if (r_pos == std::string_view::npos || p_pos == std::string_view::npos || p_pos < r_pos ||
        salt_end == std::string_view::npos) {
        return std::nullopt;
    }
    parsed_hash h;
    if (!parse_number(params.substr(0, r_pos), h.log2_n) ||
        !parse_number(params.substr(r_pos + 3, p_pos - r_pos - 3), h.r) ||
        !parse_number(params.substr(p_pos + 3), h.p) || h.log2_n < 1 || h.log2_n > 24 || h.r == 0 ||
        h.r > 32 || h.p == 0 || h.p > 16) {
        return std::nullopt;
    }
    auto salt = base64url_decode(rest.substr(0, salt_end));
    auto key = base64url_decode(rest.substr(salt_end + 1));
    if (!salt || !key || key->size() != key_length) {
        return std::nullopt;
    }
    h.salt = std::move(*salt);
    h.key = std::move(*key);
    return h;
}

}  // namespace

std::string hash_password(std::string_view password, int log2_n) {
    const auto salt = random_bytes(salt_length);
    const auto key = derive(password, salt, log2_n, block_size, parallelism);
    return "$scrypt$ln=" + std::to_string(log2_n) + ",r=" + std::to_string(block_size) +
           ",p=" + std::to_string(parallelism) + "$" + base64url_encode(salt) + "$" +
           base64url_encode(key);
}

bool verify_password(std::string_view password, std::string_view encoded) {
    const auto h = parse(encoded);
    if (!h) {
        return false;
    }
    return constant_time_equal(derive(password, h->salt, h->log2_n, h->r, h->p), h->key);
}

bool needs_rehash(std::string_view encoded, int log2_n) {
    const auto h = parse(encoded);
    return !h || h->log2_n < log2_n;
}

}  // namespace poki::auth
