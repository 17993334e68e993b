// Missions over HTTP on the real binary: the whole lifecycle with its events, every refused
// transition, approval awarding exactly once (retried, and raced by two parents), expiry
// by the scheduled job exactly once across two instances, and the walls between roles,
// children and families.
#include <thread>

#include <gtest/gtest.h>
#include <pqxx/pqxx>

#include "support/grape_api.hpp"
#include "support/sse_client.hpp"

namespace poki::test {
namespace {

using std::chrono::seconds;

std::string status_of(const running_server& server, const member_session& who, std::int64_t id) {
    const auto r = server.request("GET", mission_path(id), {}, bearer(who.access));
    EXPECT_EQ(r.status, 200) << r.body;
    return json_of(r)["status"];
}

void expect_conflict_in(const http_reply& r, const std::string& state) {
    expect_problem(r, 409, "conflict", "wrong_state");
    EXPECT_EQ(json_of(r)["state"], state) << r.body;
}

int ledger_entries_for(std::int64_t mission_id) {
    pqxx::connection c{required_env("TEST_POKI_PG_URL")};
    pqxx::read_transaction tx{c};
    return tx.exec_params1("SELECT count(*) FROM grape_ledger WHERE mission_id = $1", mission_id)[0]
        .as<int>();
}

TEST(Missions, TheWholeLifecycleReachesTheRightMembersLive) {
    family_server fixture;
    const auto& server = fixture.server;
    const auto mom = parent(server);
    const auto kid = child(server, mom);
    const auto sibling = child(server, mom);
    sse_client kid_stream{server.port(), "/api/v1/events", bearer(kid.access)};
    sse_client mom_stream{server.port(), "/api/v1/events", bearer(mom.access)};
    sse_client sibling_stream{server.port(), "/api/v1/events", bearer(sibling.access)};
    ASSERT_TRUE(kid_stream.next_of_type("ready", seconds{5}));
    ASSERT_TRUE(mom_stream.next_of_type("ready", seconds{5}));
    ASSERT_TRUE(sibling_stream.next_of_type("ready", seconds{5}));

    const auto created = server.request("POST", "/api/v1/missions",
                                        nlohmann::json{{"child_id", kid.id},
                                                       {"title", "  설거지 돕기 "},
                                                       {"description", "저녁 먹고 그릇 정리"},
                                                       {"tag", "집안일"},
                                                       {"reward", 3},
                                                       {"due_at", "2099-12-24T18:00:00+09:00"}}
                                            .dump(),
                                        bearer(mom.access));
    ASSERT_EQ(created.status, 201) << created.body;
    const auto mission = json_of(created);
    const std::int64_t id = mission["id"];
    EXPECT_EQ(mission["title"], "설거지 돕기");
    EXPECT_EQ(mission["status"], "assigned");
    EXPECT_EQ(mission["due_at"], "2099-12-24T09:00:00.000Z");
    EXPECT_EQ(mission["tag"], "집안일");

    const auto assigned = kid_stream.next_of_type("mission.assigned", seconds{5});
    ASSERT_TRUE(assigned);
    EXPECT_EQ(nlohmann::json::parse(assigned->data)["mission"]["id"], id);

    // The child submits with a note; the parents hear it, the sibling does not.
    const auto submitted = mission_action(server, kid, id, "submit", {{"note", "다 했어요!"}});
    ASSERT_EQ(submitted.status, 200) << submitted.body;
    EXPECT_EQ(json_of(submitted)["status"], "submitted");
    EXPECT_EQ(json_of(submitted)["note"], "다 했어요!");
    ASSERT_TRUE(mom_stream.next_of_type("mission.submitted", seconds{5}));

    // Rejected with a reason; the child may submit again.
    const auto rejected = mission_action(server, mom, id, "reject", {{"reason", "컵이 남았어요"}});
    ASSERT_EQ(rejected.status, 200) << rejected.body;
    EXPECT_EQ(json_of(rejected)["rejection_reason"], "컵이 남았어요");
    const auto told = kid_stream.next_of_type("mission.rejected", seconds{5});
    ASSERT_TRUE(told);
    EXPECT_EQ(nlohmann::json::parse(told->data)["mission"]["status"], "rejected");
    ASSERT_EQ(mission_action(server, kid, id, "submit").status, 200);
    ASSERT_TRUE(mom_stream.next_of_type("mission.submitted", seconds{5}));

    // Approved: the grapes are awarded and wait for the child.
    const auto approved = mission_action(server, mom, id, "approve");
    ASSERT_EQ(approved.status, 200) << approved.body;
    EXPECT_EQ(json_of(approved)["status"], "approved");
    EXPECT_EQ(json_of(approved)["decided_by"], mom.id);
    ASSERT_TRUE(kid_stream.next_of_type("mission.approved", seconds{5}));
    for (auto* stream : {&kid_stream, &mom_stream, &sibling_stream}) {
        const auto changed = stream->next_of_type("grapes.changed", seconds{5});
        ASSERT_TRUE(changed);
        const auto data = nlohmann::json::parse(changed->data);
        EXPECT_EQ(data["board"]["child_id"], kid.id);
        EXPECT_EQ(data["board"]["waiting"], 3);
        EXPECT_EQ(data["cause"]["kind"], "mission");
        EXPECT_EQ(data["cause"]["mission_id"], id);
    }
    const auto board = board_of(server, kid, kid.id);
    EXPECT_EQ(board["total"], 3);
    EXPECT_EQ(board["waiting"], 3);
    EXPECT_EQ(board["attached"], 0);

    // The sibling heard about grapes (the family's news) but never about the mission.
    EXPECT_FALSE(sibling_stream.next_of_type("mission.assigned", std::chrono::milliseconds{300}));

    // Lists: the parent filters; the child sees their own.
    const auto listed =
        server.request("GET", "/api/v1/missions?status=approved&child_id=" + std::to_string(kid.id),
                       {}, bearer(mom.access));
    ASSERT_EQ(listed.status, 200) << listed.body;
    ASSERT_EQ(json_of(listed)["items"].size(), 1U);
    const auto own = server.request("GET", "/api/v1/missions", {}, bearer(kid.access));
    EXPECT_EQ(json_of(own)["items"].size(), 1U);
    EXPECT_EQ(
        json_of(server.request("GET", "/api/v1/missions", {}, bearer(sibling.access)))["items"]
            .size(),
        0U);
}

TEST(Missions, EveryTransitionOutsideTheLifecycleIsAConflictNamingTheState) {
    family_server fixture;
    const auto& server = fixture.server;
    const auto mom = parent(server);
    const auto kid = child(server, mom);
    const std::int64_t id = create_mission(server, mom, kid.id, 2)["id"];

    // assigned: cannot be approved or rejected
    expect_conflict_in(mission_action(server, mom, id, "approve"), "assigned");
    expect_conflict_in(mission_action(server, mom, id, "reject", {{"reason", "아직"}}), "assigned");
    // submitted: cannot be edited; submitting again changes nothing
    ASSERT_EQ(mission_action(server, kid, id, "submit").status, 200);
    const auto again = mission_action(server, kid, id, "submit");
    EXPECT_EQ(again.status, 200);
    EXPECT_EQ(json_of(again)["status"], "submitted");
    expect_conflict_in(server.request("PATCH", mission_path(id),
                                      nlohmann::json{{"reward", 5}}.dump(), bearer(mom.access)),
                       "submitted");
    // approved: final
    ASSERT_EQ(mission_action(server, mom, id, "approve").status, 200);
    expect_conflict_in(mission_action(server, kid, id, "submit"), "approved");
    expect_conflict_in(mission_action(server, mom, id, "reject", {{"reason", "취소"}}), "approved");
    expect_conflict_in(
        server.request("PATCH", mission_path(id), nlohmann::json{{"title", "새 제목"}}.dump(),
                       bearer(mom.access)),
        "approved");
    expect_conflict_in(server.request("DELETE", mission_path(id), {}, bearer(mom.access)),
                       "approved");

    // Approval retried: 200, the same mission, one ledger entry.
    for (int i = 0; i < 3; ++i) {
        const auto retry = mission_action(server, mom, id, "approve");
        EXPECT_EQ(retry.status, 200) << retry.body;
        EXPECT_EQ(json_of(retry)["status"], "approved");
    }
    EXPECT_EQ(ledger_entries_for(id), 1);
    EXPECT_EQ(board_of(server, mom, kid.id)["total"], 2);

    // rejected: can be edited and submitted again, not approved directly
    const std::int64_t second = create_mission(server, mom, kid.id, 1)["id"];
    ASSERT_EQ(mission_action(server, kid, second, "submit").status, 200);
    ASSERT_EQ(mission_action(server, mom, second, "reject", {{"reason", "다시"}}).status, 200);
    expect_conflict_in(mission_action(server, mom, second, "approve"), "rejected");
    const auto edited =
        server.request("PATCH", mission_path(second),
                       nlohmann::json{{"reward", 4}, {"tag", nullptr}}.dump(), bearer(mom.access));
    ASSERT_EQ(edited.status, 200) << edited.body;
    EXPECT_EQ(json_of(edited)["reward"], 4);
    EXPECT_TRUE(json_of(edited)["tag"].is_null());

    // Deleting an unapproved mission hides it.
    EXPECT_EQ(server.request("DELETE", mission_path(second), {}, bearer(mom.access)).status, 204);
    expect_problem(server.request("GET", mission_path(second), {}, bearer(mom.access)), 404,
                   "not_found");
}

TEST(Missions, TwoParentsApprovingAtOnceAwardTheGrapesOnce) {
    family_server fixture;
    const auto& server = fixture.server;
    const auto mom = parent(server);
    const auto dad = second_parent(server, mom);
    const auto kid = child(server, mom);
    std::vector<std::int64_t> ids;
    for (int i = 0; i < 5; ++i) {
        const std::int64_t id = create_mission(server, mom, kid.id, 3)["id"];
        ASSERT_EQ(mission_action(server, kid, id, "submit").status, 200);
        ids.push_back(id);
    }
    std::atomic<int> ok{0};
    std::vector<std::jthread> parents;
    for (const auto* who : {&mom, &dad, &mom, &dad}) {
        parents.emplace_back([&, who] {
            for (const auto id : ids) {
                if (mission_action(server, *who, id, "approve").status == 200) {
                    ok.fetch_add(1);
                }
            }
        });
    }
    parents.clear();
    EXPECT_EQ(ok.load(), 20);  // everyone is told "approved"
    for (const auto id : ids) {
        EXPECT_EQ(ledger_entries_for(id), 1);
    }
    EXPECT_EQ(board_of(server, kid, kid.id)["total"], 15);
}

TEST(Missions, OverdueMissionsExpireOnceAcrossInstances) {
    own_redis redis;
    const server_options options{.redis_port = redis.port(),
                                 .extra = {{"missions", {{"expiry_interval_s", 1}}}}};
    running_server a{options};
    running_server b{options};
    const auto mom = parent(a);
    const auto kid = child(a, mom);
    const std::int64_t overdue = create_mission(a, mom, kid.id, 2)["id"];
    const std::int64_t late = create_mission(a, mom, kid.id, 2)["id"];
    const std::int64_t on_time = create_mission(a, mom, kid.id, 2)["id"];
    {
        // Due times are checked to lie ahead when set; move two into the past as time would.
        pqxx::connection c{required_env("TEST_POKI_PG_URL")};
        pqxx::work tx{c};
        tx.exec_params(
            "UPDATE missions SET due_at = now() - interval '1 minute'"
            " WHERE id = ANY(ARRAY[$1, $2]::bigint[])",
            overdue, late);
        tx.exec_params("UPDATE missions SET due_at = now() + interval '1 hour' WHERE id = $1",
                       on_time);
        tx.commit();
    }
    // Submitting after the due time expires the mission there and then.
    expect_conflict_in(mission_action(a, kid, late, "submit"), "expired");

    EXPECT_TRUE(eventually([&] { return status_of(a, mom, overdue) == "expired"; }, seconds{15},
                           std::chrono::milliseconds{200}));
    EXPECT_EQ(status_of(a, mom, on_time), "assigned");
    std::this_thread::sleep_for(seconds{2});  // both instances had more runs

    // Each expiry was told once to the child and once to the parent.
    for (const auto* who : {&kid, &mom}) {
        const auto r = a.request("GET", "/api/v1/notifications?limit=100", {}, bearer(who->access));
        const auto body = json_of(r);
        std::map<std::int64_t, int> expiries;
        for (const auto& item : body["items"]) {
            if (item["type"] == "mission.expired") {
                ++expiries[item["data"]["mission"]["id"].get<std::int64_t>()];
            }
        }
        EXPECT_EQ(expiries, (std::map<std::int64_t, int>{{overdue, 1}, {late, 1}})) << r.body;
    }
    expect_conflict_in(mission_action(a, kid, overdue, "submit"), "expired");
}

TEST(Missions, RolesChildrenAndFamiliesAreWalledOff) {
    family_server fixture;
    const auto& server = fixture.server;
    const auto mom = parent(server);
    const auto kid = child(server, mom);
    const auto sibling = child(server, mom);
    const auto other_mom = parent(server);
    const auto other_kid = child(server, other_mom);
    const std::int64_t id = create_mission(server, mom, kid.id, 2)["id"];

    // A child acting as a parent.
    expect_problem(
        server.request("POST", "/api/v1/missions",
                       nlohmann::json{{"child_id", kid.id}, {"title", "x"}, {"reward", 1}}.dump(),
                       bearer(kid.access)),
        403, "forbidden");
    ASSERT_EQ(mission_action(server, kid, id, "submit").status, 200);
    expect_problem(mission_action(server, kid, id, "approve"), 403, "forbidden");
    expect_problem(server.request("DELETE", mission_path(id), {}, bearer(kid.access)), 403,
                   "forbidden");
    // A parent cannot submit for the child.
    expect_problem(mission_action(server, mom, id, "submit"), 403, "forbidden");
    // A sibling does not see it; asking for a sibling's list is refused.
    expect_problem(server.request("GET", mission_path(id), {}, bearer(sibling.access)), 404,
                   "not_found");
    expect_problem(server.request("GET", "/api/v1/missions?child_id=" + std::to_string(kid.id), {},
                                  bearer(sibling.access)),
                   403, "forbidden");
    // Another family sees nothing and can give our child nothing.
    expect_problem(server.request("GET", mission_path(id), {}, bearer(other_mom.access)), 404,
                   "not_found");
    expect_problem(mission_action(server, other_mom, id, "approve"), 404, "not_found");
    expect_problem(
        server.request("POST", "/api/v1/missions",
                       nlohmann::json{{"child_id", kid.id}, {"title", "x"}, {"reward", 1}}.dump(),
                       bearer(other_mom.access)),
        404, "not_found");
    expect_problem(
        server.request("GET", "/api/v1/missions?child_id=" + std::to_string(other_kid.id), {},
                       bearer(mom.access)),
        404, "not_found");
    EXPECT_EQ(
        json_of(server.request("GET", "/api/v1/missions", {}, bearer(other_mom.access)))["items"]
            .size(),
        0U);
    // Their own child with no missions yet is an empty page, not "no such child".
    const auto own_empty =
        server.request("GET", "/api/v1/missions?child_id=" + std::to_string(other_kid.id), {},
                       bearer(other_mom.access));
    EXPECT_EQ(own_empty.status, 200);
    EXPECT_EQ(json_of(own_empty)["items"].size(), 0U);
    // A parent's id is not a child.
    expect_problem(
        server.request("POST", "/api/v1/missions",
                       nlohmann::json{{"child_id", mom.id}, {"title", "x"}, {"reward", 1}}.dump(),
                       bearer(mom.access)),
        404, "not_found");
}

TEST(Missions, BadInputIsNamedFieldByField) {
    family_server fixture;
    const auto& server = fixture.server;
    const auto mom = parent(server);
    const auto kid = child(server, mom);
    const auto create = [&](const nlohmann::json& body) {
        return server.request("POST", "/api/v1/missions", body.dump(), bearer(mom.access));
    };
    const auto field_of = [](const http_reply& r) {
        return json_of(r)["errors"][0]["field"].get<std::string>();
    };
    const nlohmann::json good{{"child_id", kid.id}, {"title", "숙제"}, {"reward", 2}};
    for (const auto& [change, field] : std::vector<std::pair<nlohmann::json, std::string>>{
             {{{"reward", 0}}, "reward"},
             {{{"reward", 11}}, "reward"},  // above missions.max_reward (10)
             {{{"title", "   "}}, "title"},
             {{{"title", std::string(101, 'a')}}, "title"},
             {{{"due_at", "2020-01-01T00:00:00Z"}}, "due_at"},
             {{{"due_at", "2099-12-24 18:00"}}, "due_at"},
             {{{"due_at", "2099-02-30T10:00:00Z"}}, "due_at"},
             {{{"colour", "red"}}, "colour"},
         }) {
        auto body = good;
        body.merge_patch(change);
        const auto r = create(body);
        expect_problem(r, 422, "validation_failed");
        EXPECT_EQ(field_of(r), field) << change.dump();
    }
    expect_problem(server.request("GET", "/api/v1/missions?status=done", {}, bearer(mom.access)),
                   422, "validation_failed");
    expect_problem(server.request("GET", "/api/v1/missions/99999999", {}, bearer(mom.access)), 404,
                   "not_found");
    const std::int64_t id = create_mission(server, mom, kid.id, 1)["id"];
    ASSERT_EQ(mission_action(server, kid, id, "submit").status, 200);
    expect_problem(mission_action(server, mom, id, "reject", nlohmann::json::object()), 422,
                   "validation_failed");
    expect_problem(server.request("GET", "/api/v1/missions", {}), 401, "unauthorized");
}

}  // namespace
}  // namespace poki::test
