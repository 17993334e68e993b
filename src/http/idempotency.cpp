#include "poki/http/idempotency.hpp"

#include <algorithm>

#include "poki/core/crypto.hpp"
#include "poki/core/error.hpp"
#include "poki/http/responses.hpp"

namespace poki::http {
namespace {

std::string hex(std::string_view bytes) {
    constexpr std::string_view digits{"0123456789abcdef"};
    std::string out;
    out.reserve(bytes.size() * 2);
    for (const auto byte : bytes) {
        const auto b = static_cast<unsigned char>(byte);
        out.push_back(digits[b >> 4U]);
        out.push_back(digits[b & 0x0FU]);
    }
    return out;
}

}  // namespace

std::optional<std::string> idempotency_key(const request_context& ctx) {
    const auto it = ctx.req.find("Idempotency-Key");
    if (it == ctx.req.end()) {
        return std::nullopt;
    }
    const auto value = it->value();
    const bool visible =
        std::all_of(value.begin(), value.end(), [](char c) { return c > ' ' && c < 0x7F; });
    if (value.empty() || value.size() > 100 || !visible) {
        throw error::validation("Idempotency-Key", "bad_idempotency_key",
                                "Must be 1 to 100 visible ASCII characters (a UUID works).");
    }
    return std::string{value};
}

std::optional<request_key> request_key_of(const request_context& ctx, std::int64_t user_id) {
    auto key = idempotency_key(ctx);
    if (!key) {
        return std::nullopt;
    }
    // Length-prefixed parts, so no two different requests share the digest's input.
    std::string fingerprint;
    for (const std::string_view part : {std::string_view{ctx.req.method_string()}, ctx.path,
                                        ctx.query, std::string_view{ctx.req.body()}}) {
        fingerprint += std::to_string(part.size());
        fingerprint += ':';
        fingerprint += part;
    }
    return request_key{user_id, std::move(*key), hex(crypto::sha256(fingerprint))};
}

response keyed_response(const keyed_answer& answer) {
    auto res = json_response(answer.created ? status::created : status::ok, answer.body);
    if (answer.repeated) {
        res.set("Idempotent-Replayed", "true");
    }
    return res;
}

}  // namespace poki::http
