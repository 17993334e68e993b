// Members' WebSocket connections in e2e tests.
#pragma once

#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "support/family_api.hpp"
#include "support/ws_client.hpp"

namespace poki::test {

inline std::string ticket_for(const running_server& server, const member_session& who) {
    const auto r = server.request("POST", "/api/v1/stream-tickets", {}, bearer(who.access));
    EXPECT_EQ(r.status, 201) << r.body;
    return json_of(r)["ticket"];
}

/// A connection of the member, opened with a ticket (as the web app does).
inline std::unique_ptr<ws_client> connect(const running_server& server, const member_session& who) {
    auto ws =
        std::make_unique<ws_client>(server.port(), "/api/v1/ws?ticket=" + ticket_for(server, who));
    EXPECT_EQ(ws->status(), 101) << ws->refusal_body();
    return ws;
}

}  // namespace poki::test
