// Test helpers that sign a family up and bring members in through the real HTTP API.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "poki/core/crypto.hpp"

#include "support/running_server.hpp"

namespace poki::test {

struct member_session {
    std::int64_t id = 0;
    std::int64_t family_id = 0;
    std::string access;
};

inline std::map<std::string, std::string> bearer(const std::string& token) {
    return {{"Authorization", "Bearer " + token}};
}

inline std::string random_suffix() {
    return crypto::base64url_encode(crypto::random_bytes(6));
}

/// A random UUID (version 4 layout is not needed: the server takes any 8-4-4-4-12 hex).
inline std::string new_uuid() {
    const auto bytes = crypto::random_bytes(16);
    constexpr std::string_view hex = "0123456789abcdef";
    std::string out;
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        if (i == 4 || i == 6 || i == 8 || i == 10) {
            out.push_back('-');
        }
        const auto b = static_cast<unsigned char>(bytes[i]);
        out.push_back(hex[b >> 4U]);
        out.push_back(hex[b & 0xFU]);
    }
    return out;
}

/// A server with a Redis of its own: wrong-code lockouts are per client address, and every
/// test client is 127.0.0.1, so they must not leak from one test into the next.
struct family_server {
    own_redis redis;
    running_server server{{.redis_port = redis.port()}};
};

inline member_session parent(const running_server& server) {
    const auto r = server.request("POST", "/api/v1/auth/signup",
                                  nlohmann::json{{"email", "p-" + random_suffix() + "@example.com"},
                                                 {"password", "correct horse"},
                                                 {"display_name", "엄마"}}
                                      .dump());
    EXPECT_EQ(r.status, 201) << r.body;
    const auto body = json_of(r);
    return {body["user"]["id"], body["user"]["family_id"], body["access_token"]};
}

inline std::string link_code(const running_server& server, const member_session& by,
                             const std::string& role) {
    const auto r = server.request("POST", "/api/v1/family/link-codes",
                                  nlohmann::json{{"role", role}}.dump(), bearer(by.access));
    EXPECT_EQ(r.status, 201) << r.body;
    const auto body = json_of(r);
    EXPECT_EQ(body["code"].get<std::string>().size(), 8U);
    EXPECT_GT(body["expires_in"].get<int>(), 500);
    return body["code"];
}

inline http_reply join(const running_server& server, const std::string& code,
                       const std::string& login, std::optional<std::string> email = std::nullopt) {
    nlohmann::json body{
        {"code", code}, {"display_name", "하늘"}, {"login", login}, {"password", "grape grape"}};
    if (email) {
        body["email"] = *email;
    }
    return server.request("POST", "/api/v1/auth/join", body.dump());
}

inline member_session child(const running_server& server, const member_session& by) {
    const auto r =
        join(server, link_code(server, by, "child"), "kid-" + random_suffix().substr(0, 6));
    EXPECT_EQ(r.status, 201) << r.body;
    const auto body = json_of(r);
    EXPECT_EQ(body["user"]["role"], "child");
    EXPECT_EQ(body["user"]["family_id"], by.family_id);
    return {body["user"]["id"], body["user"]["family_id"], body["access_token"]};
}

/// A second parent of the same family.
inline member_session second_parent(const running_server& server, const member_session& by) {
    const auto login = "dad-" + random_suffix().substr(0, 6);
    const auto r = join(server, link_code(server, by, "parent"), login, login + "@example.com");
    EXPECT_EQ(r.status, 201) << r.body;
    const auto body = json_of(r);
    return {body["user"]["id"], body["user"]["family_id"], body["access_token"]};
}

/// The family's chat room, as the member sees it.
inline std::int64_t family_room(const running_server& server, const member_session& who) {
    const auto r = server.request("GET", "/api/v1/chat/rooms", {}, bearer(who.access));
    EXPECT_EQ(r.status, 200) << r.body;
    const auto body = json_of(r);
    for (const auto& room : body["items"]) {
        if (room["kind"] == "family") {
            return room["id"];
        }
    }
    ADD_FAILURE() << "no family room: " << r.body;
    return 0;
}

/// Removes a member as a parent.
inline void remove_member(const running_server& server, const member_session& by,
                          std::int64_t member_id) {
    const auto r = server.request("DELETE", "/api/v1/family/members/" + std::to_string(member_id),
                                  {}, bearer(by.access));
    EXPECT_EQ(r.status, 204) << r.body;
}

}  // namespace poki::test
