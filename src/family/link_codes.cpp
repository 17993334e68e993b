#include "poki/family/link_codes.hpp"

#include <nlohmann/json.hpp>

#include "poki/core/crypto.hpp"
#include "poki/core/error.hpp"

namespace poki::family {
namespace {

std::string key_for(std::string_view code) {
    return "poki:link:" + std::string{code};
}

std::int64_t now_seconds() {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

std::string random_code() {
    const auto bytes = crypto::random_bytes(link_code_length);
    std::string code;
    for (const char b : bytes) {
        // 256 % 31 leaves a slight bias toward the first letters; irrelevant for 10-minute codes
        // guarded by attempt limits.
        code.push_back(
            link_code_alphabet[static_cast<unsigned char>(b) % link_code_alphabet.size()]);
    }
    return code;
}

std::string encode(const link_code& c) {
    return nlohmann::json{{"family_id", c.family_id},
                          {"admits", to_string(c.admits)},
                          {"created_by", c.created_by},
                          {"expires_at", c.expires_at}}
        .dump();
}

}  // namespace

std::string link_codes::normalize(std::string_view typed) {
    std::string out;
    for (const char ch : typed) {
        if (ch == ' ' || ch == '-') {
            continue;
        }
        out.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(ch))));
    }
    return out;
}

awaitable<link_code> link_codes::create(principal creator, poki::role admits) {
    for (int attempt = 0; attempt < 5; ++attempt) {
        link_code c{random_code(), creator.family_id, admits, creator.user_id,
                    now_seconds() + lifetime_.count()};
        cache::redis_command set{
            "SET", key_for(c.code), encode(c), "EX", std::to_string(lifetime_.count()), "NX"};
        const auto reply = co_await redis_.command(std::move(set));
        if (reply.is_error()) {
            throw error{errc::unavailable, "Link codes are unavailable right now."};
        }
        if (!reply.is_nil()) {
            co_return c;
        }
    }
    throw error{errc::unavailable, "Could not make a unique link code; try again."};
}

awaitable<std::optional<link_code>> link_codes::redeem(std::string code) {
    if (code.size() != link_code_length ||
        code.find_first_not_of(link_code_alphabet) != std::string::npos) {
        co_return std::nullopt;
    }
    cache::redis_command getdel{"GETDEL", key_for(code)};
    const auto reply = co_await redis_.command(std::move(getdel));
    if (reply.is_error()) {
        throw error{errc::unavailable, "Link codes are unavailable right now."};
    }
    if (reply.is_nil()) {
        co_return std::nullopt;
    }
    const auto stored = nlohmann::json::parse(reply.text, nullptr, false);
    if (!stored.is_object()) {
        co_return std::nullopt;
    }
    link_code c;
    c.code = std::move(code);
    c.family_id = stored.value("family_id", std::int64_t{0});
    c.admits = parse_role(stored.value("admits", "")).value_or(role::child);
    c.created_by = stored.value("created_by", std::int64_t{0});
    c.expires_at = stored.value("expires_at", std::int64_t{0});
    co_return c;
}

awaitable<void> link_codes::restore(link_code code) {
    const auto remaining = code.expires_at - now_seconds();
    if (remaining <= 0) {
        co_return;
    }
    cache::redis_command set{"SET", key_for(code.code),        encode(code),
                             "EX",  std::to_string(remaining), "NX"};
    co_await redis_.command(std::move(set));
}

}  // namespace poki::family
