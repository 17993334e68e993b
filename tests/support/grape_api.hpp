// Test helpers for missions, boards and wishlists through the real HTTP API.
#pragma once

#include <string>

#include "support/family_api.hpp"

namespace poki::test {

inline std::string child_path(std::int64_t child_id, const std::string& rest) {
    return "/api/v1/children/" + std::to_string(child_id) + rest;
}

inline std::string mission_path(std::int64_t id, const std::string& rest = {}) {
    return "/api/v1/missions/" + std::to_string(id) + rest;
}

inline nlohmann::json create_mission(const running_server& server, const member_session& by,
                                     std::int64_t child_id, int reward,
                                     const std::string& title = "방 정리하기") {
    const auto r = server.request(
        "POST", "/api/v1/missions",
        nlohmann::json{{"child_id", child_id}, {"title", title}, {"reward", reward}}.dump(),
        bearer(by.access));
    EXPECT_EQ(r.status, 201) << r.body;
    return json_of(r);
}

inline http_reply mission_action(const running_server& server, const member_session& by,
                                 std::int64_t id, const std::string& action,
                                 const nlohmann::json& body = nullptr) {
    return server.request("POST", mission_path(id, "/" + action),
                          body.is_null() ? std::string{} : body.dump(), bearer(by.access));
}

inline nlohmann::json board_of(const running_server& server, const member_session& who,
                               std::int64_t child_id) {
    const auto r = server.request("GET", child_path(child_id, "/board"), {}, bearer(who.access));
    EXPECT_EQ(r.status, 200) << r.body;
    return json_of(r);
}

inline http_reply award(const running_server& server, const member_session& by,
                        std::int64_t child_id, int amount, const std::string& reason = "칭찬",
                        std::map<std::string, std::string> headers = {}) {
    headers["Authorization"] = "Bearer " + by.access;
    return server.request("POST", child_path(child_id, "/grapes"),
                          nlohmann::json{{"amount", amount}, {"reason", reason}}.dump(), headers);
}

inline http_reply attach(const running_server& server, const member_session& who,
                         std::int64_t child_id, int count) {
    return server.request("POST", child_path(child_id, "/board/attach"),
                          nlohmann::json{{"count", count}}.dump(), bearer(who.access));
}

}  // namespace poki::test
