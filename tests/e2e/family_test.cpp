// Families over HTTP: link codes, joining, members, removal, and the walls between families.
#include <csignal>
#include <future>

#include <gtest/gtest.h>

#include "poki/core/crypto.hpp"

#include "support/family_api.hpp"
#include "support/running_server.hpp"

namespace poki::test {
namespace {

TEST(Family, ChildJoinsWithACodeAndLogsInWithItsLogin) {
    family_server fixture;
    const auto& server = fixture.server;
    const auto mom = parent(server);
    const auto login = "sky-" + random_suffix().substr(0, 6);
    const auto code = link_code(server, mom, "child");
    const auto joined = join(server, code, login);
    ASSERT_EQ(joined.status, 201) << joined.body;
    const auto reused = join(server, code, login + "x");  // single use
    expect_problem(reused, 422, "validation_failed");
    EXPECT_EQ(json_of(reused)["errors"][0]["code"], "code_invalid") << reused.body;

    const auto r =
        server.request("POST", "/api/v1/auth/login",
                       nlohmann::json{{"login", login}, {"password", "grape grape"}}.dump());
    EXPECT_EQ(r.status, 200) << r.body;

    const auto family = json_of(server.request("GET", "/api/v1/family", {}, bearer(mom.access)));
    EXPECT_EQ(family["members"].size(), 2U);
}

TEST(Family, OneCodeTwoConcurrentJoinsExactlyOneWins) {
    family_server fixture;
    const auto& server = fixture.server;
    const auto mom = parent(server);
    const auto code = link_code(server, mom, "child");
    auto first =
        std::async(std::launch::async, [&] { return join(server, code, "a-" + random_suffix()); });
    auto second =
        std::async(std::launch::async, [&] { return join(server, code, "b-" + random_suffix()); });
    const auto a = first.get().status;
    const auto b = second.get().status;
    EXPECT_EQ((a == 201) + (b == 201), 1) << a << " " << b;
    EXPECT_EQ(
        json_of(server.request("GET", "/api/v1/family", {}, bearer(mom.access)))["members"].size(),
        2U);
}

TEST(Family, ParentCodeNeedsAnEmailAndKeepsTheCodeWhenRefused) {
    family_server fixture;
    const auto& server = fixture.server;
    const auto mom = parent(server);
    const auto code = link_code(server, mom, "parent");
    expect_problem(join(server, code, "dad-" + random_suffix()), 422, "validation_failed");
    const auto r =
        join(server, code, "dad-" + random_suffix(), "dad-" + random_suffix() + "@example.com");
    EXPECT_EQ(r.status, 201) << r.body;
    EXPECT_EQ(json_of(r)["user"]["role"], "parent");
}

TEST(Family, FiveWrongCodesLockTheClientOut) {
    family_server fixture;
    const auto& server = fixture.server;
    for (int i = 0; i < 5; ++i) {
        expect_problem(join(server, "ZZZZZZZZ", "nobody-" + random_suffix()), 422,
                       "validation_failed");
    }
    const auto locked = join(server, "ZZZZZZZZ", "nobody-" + random_suffix());
    expect_problem(locked, 429, "too_many_requests");
    EXPECT_FALSE(locked.header("retry-after").empty());
}

TEST(Family, ChildrenCannotDoParentThings) {
    family_server fixture;
    const auto& server = fixture.server;
    const auto mom = parent(server);
    const auto kid = child(server, mom);
    expect_problem(server.request("POST", "/api/v1/family/link-codes", R"({"role":"child"})",
                                  bearer(kid.access)),
                   403, "forbidden");
    expect_problem(
        server.request("PATCH", "/api/v1/family", R"({"name":"Kid rules"})", bearer(kid.access)),
        403, "forbidden");
    expect_problem(server.request("DELETE", "/api/v1/family/members/" + std::to_string(mom.id), {},
                                  bearer(kid.access)),
                   403, "forbidden");
    expect_problem(server.request("PATCH", "/api/v1/family/members/" + std::to_string(mom.id),
                                  R"({"display_name":"Boss"})", bearer(kid.access)),
                   403, "forbidden");
    // Renaming oneself is fine.
    const auto self = server.request("PATCH", "/api/v1/family/members/" + std::to_string(kid.id),
                                     R"({"display_name":"하늘이"})", bearer(kid.access));
    EXPECT_EQ(self.status, 200) << self.body;
    EXPECT_EQ(json_of(self)["display_name"], "하늘이");
}

TEST(Family, AnotherFamilyIsInvisible) {
    family_server fixture;
    const auto& server = fixture.server;
    const auto mom_a = parent(server);
    const auto kid_a = child(server, mom_a);
    const auto mom_b = parent(server);
    const auto kid_path = "/api/v1/family/members/" + std::to_string(kid_a.id);
    expect_problem(
        server.request("PATCH", kid_path, R"({"display_name":"x"})", bearer(mom_b.access)), 404,
        "not_found");
    expect_problem(server.request("DELETE", kid_path, {}, bearer(mom_b.access)), 404, "not_found");
    const auto family_b =
        json_of(server.request("GET", "/api/v1/family", {}, bearer(mom_b.access)));
    EXPECT_EQ(family_b["id"], mom_b.family_id);
    ASSERT_EQ(family_b["members"].size(), 1U);
    EXPECT_EQ(family_b["members"][0]["id"], mom_b.id);
    // Kid A is untouched.
    EXPECT_EQ(server.request("GET", "/api/v1/me", {}, bearer(kid_a.access)).status, 200);
}

TEST(Family, RemovedMemberLosesAccessAtOnce) {
    family_server fixture;
    const auto& server = fixture.server;
    const auto mom = parent(server);
    const auto kid = child(server, mom);
    EXPECT_EQ(server.request("GET", "/api/v1/family", {}, bearer(kid.access)).status, 200);
    expect_problem(server.request("DELETE", "/api/v1/family/members/" + std::to_string(mom.id), {},
                                  bearer(mom.access)),
                   409, "conflict", "cannot_remove_self");
    const auto removed = server.request(
        "DELETE", "/api/v1/family/members/" + std::to_string(kid.id), {}, bearer(mom.access));
    EXPECT_EQ(removed.status, 204) << removed.body;
    expect_problem(server.request("GET", "/api/v1/family", {}, bearer(kid.access)), 401,
                   "unauthorized");
    expect_problem(server.request("GET", "/api/v1/me", {}, bearer(kid.access)), 401,
                   "unauthorized");
    EXPECT_EQ(
        json_of(server.request("GET", "/api/v1/family", {}, bearer(mom.access)))["members"].size(),
        1U);
}

TEST(Family, StreamTicketsAreIssuedToMembers) {
    family_server fixture;
    const auto& server = fixture.server;
    const auto mom = parent(server);
    const auto r = server.request("POST", "/api/v1/stream-tickets", {}, bearer(mom.access));
    EXPECT_EQ(r.status, 201) << r.body;
    EXPECT_EQ(json_of(r)["expires_in"], 60);
    EXPECT_GE(json_of(r)["ticket"].get<std::string>().size(), 32U);
    expect_problem(server.request("POST", "/api/v1/stream-tickets"), 401, "unauthorized");
}

TEST(Family, LinkCodesNeverReachTheLog) {
    family_server fixture;
    auto& server = fixture.server;
    const auto mom = parent(server);
    const auto code = link_code(server, mom, "child");
    EXPECT_EQ(join(server, code, "kid-" + random_suffix().substr(0, 6)).status, 201);
    server.process().signal(SIGTERM);
    EXPECT_EQ(server.process().wait(std::chrono::seconds{10}), 0);
    const auto log = server.log();
    EXPECT_NE(log.find("/api/v1/auth/join"), std::string::npos);
    EXPECT_EQ(log.find(code), std::string::npos) << "a link code reached the log";
    EXPECT_EQ(log.find("grape grape"), std::string::npos) << "a password reached the log";
}

TEST(Family, BadInputIsNamed) {
    family_server fixture;
    const auto& server = fixture.server;
    const auto mom = parent(server);
    expect_problem(server.request("POST", "/api/v1/family/link-codes", R"({"role":"grandma"})",
                                  bearer(mom.access)),
                   422, "validation_failed");
    expect_problem(server.request("PATCH", "/api/v1/family", R"({"name":""})", bearer(mom.access)),
                   422, "validation_failed");
    expect_problem(server.request("PATCH", "/api/v1/family", R"({"name":)", bearer(mom.access)),
                   400, "bad_request");
    expect_problem(join(server, link_code(server, mom, "child"), "no spaces allowed"), 422,
                   "validation_failed");
    expect_problem(server.request("DELETE", "/api/v1/family/members/abc", {}, bearer(mom.access)),
                   404, "not_found");
}

}  // namespace
}  // namespace poki::test
