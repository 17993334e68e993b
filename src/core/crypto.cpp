#include "poki/core/crypto.hpp"

#include <algorithm>
#include <array>
#include <stdexcept>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

namespace poki::crypto {
namespace {

constexpr std::string_view alphabet{
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"};

constexpr std::string_view standard_alphabet{
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"};

int value_of(char c) {
    const auto pos = alphabet.find(c);
    return pos == std::string_view::npos ? -1 : static_cast<int>(pos);
}

const unsigned char* bytes_of(std::string_view s) {
    return reinterpret_cast<const unsigned char*>(s.data());  // NOLINT: OpenSSL takes bytes
}

}  // namespace

std::string random_bytes(std::size_t n) {
    std::string out(n, '\0');
    // NOLINTNEXTLINE(cppcoreguidelines-pro-type-reinterpret-cast): OpenSSL writes bytes
    if (RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(n)) != 1) {
        throw std::runtime_error{"RAND_bytes failed"};
    }
    return out;
}

std::string base64url_encode(std::string_view bytes) {
    std::string out;
    out.reserve((bytes.size() * 4 + 2) / 3);
    std::uint32_t buffer = 0;
    int bits = 0;
    for (const char ch : bytes) {
        buffer = (buffer << 8U) | static_cast<unsigned char>(ch);
        bits += 8;
        while (bits >= 6) {
            bits -= 6;
            out.push_back(alphabet[(buffer >> static_cast<unsigned>(bits)) & 0x3fU]);
        }
    }
    if (bits > 0) {
        out.push_back(alphabet[(buffer << static_cast<unsigned>(6 - bits)) & 0x3fU]);
    }
    return out;
}

std::optional<std::string> base64url_decode(std::string_view text) {
    if (text.size() % 4 == 1) {
        return std::nullopt;
    }
    std::string out;
    out.reserve(text.size() * 3 / 4);
    std::uint32_t buffer = 0;
    int bits = 0;
    for (const char ch : text) {
        const int v = value_of(ch);
        if (v < 0) {
            return std::nullopt;
        }
        buffer = (buffer << 6U) | static_cast<std::uint32_t>(v);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out.push_back(static_cast<char>((buffer >> static_cast<unsigned>(bits)) & 0xffU));
        }
    }
    // Leftover bits must be zero, so every value has exactly one encoding.
    if ((buffer & ((1U << static_cast<unsigned>(bits)) - 1U)) != 0) {
        return std::nullopt;
    }
    return out;
}

std::string sha256(std::string_view data) {
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
    unsigned int length = 0;
    if (EVP_Digest(data.data(), data.size(), digest.data(), &length, EVP_sha256(), nullptr) != 1) {
        throw std::runtime_error{"sha256 failed"};
    }
    return {digest.begin(), digest.begin() + length};
}

std::string hmac_sha256(std::string_view key, std::string_view data) {
    std::array<unsigned char, EVP_MAX_MD_SIZE> mac{};
    unsigned int length = 0;
    if (HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), bytes_of(data), data.size(),
             mac.data(), &length) == nullptr) {
        throw std::runtime_error{"HMAC failed"};
    }
    return {mac.begin(), mac.begin() + length};
}

std::string hmac_sha1(std::string_view key, std::string_view data) {
    std::array<unsigned char, EVP_MAX_MD_SIZE> mac{};
    unsigned int length = 0;
    if (HMAC(EVP_sha1(), key.data(), static_cast<int>(key.size()), bytes_of(data), data.size(),
             mac.data(), &length) == nullptr) {
        throw std::runtime_error{"HMAC failed"};
    }
    return {mac.begin(), mac.begin() + length};
}

std::string base64_encode(std::string_view bytes) {
    std::string out;
    out.reserve((bytes.size() + 2) / 3 * 4);
    const auto take = [&](std::size_t i) {
        return i < bytes.size() ? static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i]))
                                : 0U;
    };
    for (std::size_t i = 0; i < bytes.size(); i += 3) {
        const std::size_t n = std::min<std::size_t>(3, bytes.size() - i);  // n bytes: n + 1 digits
        const std::uint32_t group = (take(i) << 16U) | (take(i + 1) << 8U) | take(i + 2);
        for (std::size_t k = 0; k < 4; ++k) {
            out.push_back(k <= n ? standard_alphabet[(group >> (18U - 6U * k)) & 0x3fU] : '=');
        }
    }
    return out;
}

bool constant_time_equal(std::string_view a, std::string_view b) noexcept {
    return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace poki::crypto
