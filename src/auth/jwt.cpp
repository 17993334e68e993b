#include "poki/auth/jwt.hpp"

#include <nlohmann/json.hpp>

#include "poki/core/crypto.hpp"

namespace poki::auth {

using crypto::base64url_decode;
using crypto::base64url_encode;
using crypto::constant_time_equal;
using crypto::hmac_sha256;
using crypto::random_bytes;
namespace {

error rejected() {
    return error{errc::unauthorized, "The access token is invalid or has expired."};
}

}  // namespace

jwt_codec::jwt_codec(const auth_config& cfg) {
    if (cfg.jwt_secret.empty()) {
        keys_.push_back(key{cfg.jwt_key_id, random_bytes(32)});
        ephemeral_ = true;
    } else {
        keys_.push_back(key{cfg.jwt_key_id, cfg.jwt_secret});
    }
    std::string_view rest{cfg.jwt_previous_keys};
    while (!rest.empty()) {
        const auto comma = rest.find(',');
        const auto item = rest.substr(0, comma);
        const auto colon = item.find(':');
        if (colon == std::string_view::npos || colon == 0 || item.size() - colon - 1 < 32) {
            throw config_error{
                "config: auth.jwt_previous_keys: expected kid:secret pairs (secrets of 32+ "
                "characters) "
                "separated by commas"};
        }
        keys_.push_back(
            key{std::string{item.substr(0, colon)}, std::string{item.substr(colon + 1)}});
        rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
    }
}

std::string jwt_codec::sign(const access_claims& claims) const {
    const auto& signing = keys_.front();
    const nlohmann::json header{{"alg", "HS256"}, {"typ", "JWT"}, {"kid", signing.id}};
    const nlohmann::json payload{{"sub", std::to_string(claims.who.user_id)},
                                 {"fam", claims.who.family_id},
                                 {"role", to_string(claims.who.role)},
                                 {"gen", claims.who.session_generation},
                                 {"iat", claims.issued_at},
                                 {"exp", claims.expires_at}};
    auto token = base64url_encode(header.dump()) + "." + base64url_encode(payload.dump());
    const auto mac = hmac_sha256(signing.secret, token);
    token += '.';
    token += base64url_encode(mac);
    return token;
}

result<access_claims> jwt_codec::verify(std::string_view token, std::int64_t now) const {
    const auto first = token.find('.');
    const auto second = token.find('.', first == std::string_view::npos ? 0 : first + 1);
    if (first == std::string_view::npos || second == std::string_view::npos ||
        token.find('.', second + 1) != std::string_view::npos) {
        return rejected();
    }
    const auto header_text = base64url_decode(token.substr(0, first));
    const auto payload_text = base64url_decode(token.substr(first + 1, second - first - 1));
    const auto signature = base64url_decode(token.substr(second + 1));
    if (!header_text || !payload_text || !signature) {
        return rejected();
    }
    const auto header = nlohmann::json::parse(*header_text, nullptr, false);
    if (!header.is_object() || header.value("alg", "") != "HS256" || !header.contains("kid") ||
        !header["kid"].is_string()) {
        return rejected();  // never "none", never another algorithm
    }
    const auto kid = header["kid"].get<std::string>();
    const key* verifying = nullptr;
    for (const auto& k : keys_) {
        if (k.id == kid) {
            verifying = &k;
            break;
        }
    }
    if (verifying == nullptr ||
        !constant_time_equal(hmac_sha256(verifying->secret, token.substr(0, second)), *signature)) {
        return rejected();
    }
    const auto payload = nlohmann::json::parse(*payload_text, nullptr, false);
    if (!payload.is_object() || !payload.contains("sub") || !payload["sub"].is_string() ||
        !payload.contains("fam") || !payload["fam"].is_number_integer() ||
        !payload.contains("exp") || !payload["exp"].is_number_integer() ||
        !payload.contains("role") || !payload["role"].is_string()) {
        return rejected();
    }
    const auto role = parse_role(payload["role"].get<std::string>());
    access_claims claims;
    try {
        claims.who.user_id = std::stoll(payload["sub"].get<std::string>());
    } catch (const std::exception&) {
        return rejected();
    }
    if (!role) {
        return rejected();
    }
    claims.who.role = *role;
    claims.who.family_id = payload["fam"].get<std::int64_t>();
    claims.expires_at = payload["exp"].get<std::int64_t>();
    claims.issued_at = payload.value("iat", std::int64_t{0});
    // Tokens from before "log out everywhere" existed have no generation: the first one.
    const auto generation = payload.find("gen");
    if (generation != payload.end()) {
        if (!generation->is_number_integer()) {
            return rejected();
        }
        claims.who.session_generation = generation->get<std::int64_t>();
    }
    if (claims.expires_at <= now) {
        return rejected();
    }
    return claims;
}

}  // namespace poki::auth
