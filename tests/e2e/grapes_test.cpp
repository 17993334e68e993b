// Grape boards over HTTP on the real binary: the ledger (awards, corrections that never go
// below zero, Idempotency-Key), attaching (the child only, never more than was awarded,
// also when raced), goals and gifts, redemption with carry-over and its event, and the
// walls between families.
#include <thread>

#include <gtest/gtest.h>
#include <pqxx/pqxx>

#include "support/grape_api.hpp"
#include "support/sse_client.hpp"

namespace poki::test {
namespace {

using std::chrono::seconds;

TEST(Grapes, ANewBoardHasTheDefaultGoalAndParentsSetIt) {
    family_server fixture;
    const auto& server = fixture.server;
    const auto mom = parent(server);
    const auto kid = child(server, mom);
    {
        // The board is there from the moment the child joined: reading it writes nothing.
        pqxx::connection c{required_env("TEST_POKI_PG_URL")};
        pqxx::read_transaction tx{c};
        EXPECT_EQ(tx.exec_params1("SELECT count(*) FROM grape_boards WHERE child_id = $1"
                                  " AND redeemed_at IS NULL",
                                  kid.id)[0]
                      .as<int>(),
                  1);
    }
    const auto board = board_of(server, kid, kid.id);
    EXPECT_EQ(board["goal"], 31);
    EXPECT_EQ(board["total"], 0);
    EXPECT_EQ(board["number"], 1);
    EXPECT_EQ(board["status"], "collecting");
    EXPECT_TRUE(board["gift"].is_null());

    const auto put = [&](const member_session& who, const nlohmann::json& body) {
        return server.request("PUT", child_path(kid.id, "/board"), body.dump(), bearer(who.access));
    };
    const auto set = put(mom, {{"goal", 5}});
    ASSERT_EQ(set.status, 200) << set.body;
    EXPECT_EQ(json_of(set)["goal"], 5);
    expect_problem(put(kid, {{"goal", 6}}), 403, "forbidden");
    expect_problem(put(mom, {{"goal", 4}}), 422, "validation_failed");
    expect_problem(put(mom, {{"goal", 101}}), 422, "validation_failed");
    expect_problem(put(mom, {{"wish_item_id", 999999999}}), 422, "validation_failed");

    // The goal cannot drop below what is attached.
    ASSERT_EQ(award(server, mom, kid.id, 5).status, 201);
    ASSERT_EQ(attach(server, kid, kid.id, 5).status, 200);
    ASSERT_EQ(put(mom, {{"goal", 10}}).status, 200);
    ASSERT_EQ(attach(server, kid, kid.id, 0).status, 422);
    ASSERT_EQ(award(server, mom, kid.id, 2).status, 201);
    ASSERT_EQ(attach(server, kid, kid.id, 2).status, 200);
    const auto below = put(mom, {{"goal", 6}});
    expect_problem(below, 422, "validation_failed");
    EXPECT_EQ(json_of(below)["errors"][0]["field"], "goal");
    EXPECT_EQ(put(mom, {{"goal", 7}}).status, 200);
}

TEST(Grapes, TheLedgerNeverGoesBelowZeroAndRetriesWriteOnce) {
    family_server fixture;
    const auto& server = fixture.server;
    const auto mom = parent(server);
    const auto kid = child(server, mom);

    const std::map<std::string, std::string> key{{"Idempotency-Key", "c0ffee-1"}};
    const auto first = award(server, mom, kid.id, 7, "할머니 댁 방문", key);
    ASSERT_EQ(first.status, 201) << first.body;
    const auto retried = award(server, mom, kid.id, 7, "할머니 댁 방문", key);
    EXPECT_EQ(retried.status, 201) << retried.body;
    EXPECT_EQ(retried.header("idempotent-replayed"), "true");
    EXPECT_EQ(json_of(retried)["entry"]["id"], json_of(first)["entry"]["id"]);
    const auto reused = award(server, mom, kid.id, 8, "할머니 댁 방문", key);
    expect_problem(reused, 422, "validation_failed");
    EXPECT_EQ(json_of(reused)["errors"][0]["field"], "Idempotency-Key");
    EXPECT_EQ(board_of(server, mom, kid.id)["total"], 7);

    // Corrections: never below zero.
    expect_problem(award(server, mom, kid.id, -8, "실수"), 409, "conflict", "balance_below_zero");
    const auto corrected = award(server, mom, kid.id, -2, "두 번 셌어요");
    ASSERT_EQ(corrected.status, 201) << corrected.body;
    EXPECT_EQ(json_of(corrected)["entry"]["kind"], "correction");
    EXPECT_EQ(json_of(corrected)["entry"]["balance"], 5);

    // A correction takes waiting grapes first, then grapes off the bunch.
    ASSERT_EQ(attach(server, kid, kid.id, 4).status, 200);
    const auto taken = award(server, mom, kid.id, -3, "정정");
    ASSERT_EQ(taken.status, 201) << taken.body;
    EXPECT_EQ(json_of(taken)["board"]["attached"], 2);
    EXPECT_EQ(json_of(taken)["board"]["waiting"], 0);

    expect_problem(award(server, mom, kid.id, 0), 422, "validation_failed");
    expect_problem(award(server, kid, kid.id, 5), 403, "forbidden");
    expect_problem(award(server, mom, kid.id, 1, ""), 422, "validation_failed");

    // History: newest first, pages by cursor, sums to the board.
    const auto page = server.request("GET", child_path(kid.id, "/grapes/history?limit=2"), {},
                                     bearer(kid.access));
    ASSERT_EQ(page.status, 200) << page.body;
    const auto body = json_of(page);
    ASSERT_EQ(body["items"].size(), 2U);
    EXPECT_EQ(body["items"][0]["amount"], -3);
    const auto rest =
        server.request("GET",
                       child_path(kid.id, "/grapes/history?cursor=" +
                                              std::to_string(body["next_cursor"].get<int>())),
                       {}, bearer(kid.access));
    const auto older = json_of(rest)["items"];
    ASSERT_EQ(older.size(), 1U);
    EXPECT_EQ(older[0]["amount"], 7);
    EXPECT_EQ(older[0]["reason"], "할머니 댁 방문");
}

TEST(Grapes, OnlyTheChildAttachesAndNeverMoreThanWasAwarded) {
    family_server fixture;
    const auto& server = fixture.server;
    const auto mom = parent(server);
    const auto kid = child(server, mom);
    const auto sibling = child(server, mom);
    ASSERT_EQ(award(server, mom, kid.id, 6).status, 201);

    expect_problem(attach(server, mom, kid.id, 1), 403, "forbidden");
    expect_problem(attach(server, sibling, kid.id, 1), 403, "forbidden");
    expect_problem(attach(server, kid, kid.id, 7), 409, "conflict", "not_enough_waiting");
    expect_problem(attach(server, kid, kid.id, 0), 422, "validation_failed");

    std::atomic<int> attached{0};
    {
        std::vector<std::jthread> fingers;
        fingers.reserve(10);
        for (int i = 0; i < 10; ++i) {
            fingers.emplace_back([&] {
                if (attach(server, kid, kid.id, 1).status == 200) {
                    attached.fetch_add(1);
                }
            });
        }
    }
    EXPECT_EQ(attached.load(), 6);
    const auto board = board_of(server, kid, kid.id);
    EXPECT_EQ(board["attached"], 6);
    EXPECT_EQ(board["waiting"], 0);
}

TEST(Grapes, AFullBoardIsRedeemedForItsGiftAndTheRestCarriesOver) {
    family_server fixture;
    const auto& server = fixture.server;
    const auto mom = parent(server);
    const auto kid = child(server, mom);
    sse_client kid_stream{server.port(), "/api/v1/events", bearer(kid.access)};
    ASSERT_TRUE(kid_stream.next_of_type("ready", seconds{5}));

    const auto wished =
        server.request("POST", child_path(kid.id, "/wishlist"),
                       nlohmann::json{{"name", "분홍 자전거"}}.dump(), bearer(kid.access));
    ASSERT_EQ(wished.status, 201) << wished.body;
    const std::int64_t item = json_of(wished)["id"];
    const auto picked = server.request("PUT", child_path(kid.id, "/board"),
                                       nlohmann::json{{"goal", 5}, {"wish_item_id", item}}.dump(),
                                       bearer(mom.access));
    ASSERT_EQ(picked.status, 200) << picked.body;
    EXPECT_EQ(json_of(picked)["gift"]["name"], "분홍 자전거");

    ASSERT_EQ(award(server, mom, kid.id, 8).status, 201);
    ASSERT_EQ(attach(server, kid, kid.id, 4).status, 200);
    const auto early =
        server.request("POST", child_path(kid.id, "/board/redeem"), {}, bearer(mom.access));
    expect_problem(early, 409, "conflict");
    EXPECT_EQ(json_of(early)["state"], "collecting");
    expect_problem(attach(server, kid, kid.id, 2), 409, "conflict", "bunch_overflow");
    ASSERT_EQ(attach(server, kid, kid.id, 1).status, 200);
    EXPECT_EQ(board_of(server, kid, kid.id)["status"], "full");
    expect_problem(
        server.request("POST", child_path(kid.id, "/board/redeem"), {}, bearer(kid.access)), 403,
        "forbidden");

    const auto redeemed =
        server.request("POST", child_path(kid.id, "/board/redeem"), {}, bearer(mom.access));
    ASSERT_EQ(redeemed.status, 201) << redeemed.body;
    const auto body = json_of(redeemed);
    EXPECT_EQ(body["redeemed"]["gift_name"], "분홍 자전거");
    EXPECT_EQ(body["redeemed"]["carried_over"], 3);
    EXPECT_EQ(body["board"]["number"], 2);
    EXPECT_EQ(body["board"]["goal"], 5);
    EXPECT_EQ(body["board"]["attached"], 0);
    EXPECT_EQ(body["board"]["waiting"], 3);
    EXPECT_TRUE(body["board"]["gift"].is_null());

    const auto told = kid_stream.next_of_type("board.redeemed", seconds{5});
    ASSERT_TRUE(told);
    EXPECT_EQ(nlohmann::json::parse(told->data)["redeemed"]["gift_name"], "분홍 자전거");

    // A second redeem finds the new board, not full.
    expect_problem(
        server.request("POST", child_path(kid.id, "/board/redeem"), {}, bearer(mom.access)), 409,
        "conflict");
    // History stays: the past board, the redemption on the ledger, the item given.
    const auto past =
        json_of(server.request("GET", child_path(kid.id, "/boards"), {}, bearer(kid.access)));
    ASSERT_EQ(past["items"].size(), 1U);
    EXPECT_EQ(past["items"][0]["number"], 1);
    const auto ledger = json_of(
        server.request("GET", child_path(kid.id, "/grapes/history"), {}, bearer(mom.access)));
    EXPECT_EQ(ledger["items"][0]["kind"], "redemption");
    EXPECT_EQ(ledger["items"][0]["amount"], -5);
    EXPECT_EQ(ledger["items"][0]["balance"], 3);
    const auto list =
        json_of(server.request("GET", child_path(kid.id, "/wishlist"), {}, bearer(mom.access)));
    EXPECT_FALSE(list["items"][0]["given_at"].is_null());
    EXPECT_FALSE(list["items"][0]["picked"]);

    // Past boards and wishlists page like every list.
    ASSERT_EQ(award(server, mom, kid.id, 2).status, 201);
    ASSERT_EQ(attach(server, kid, kid.id, 5).status, 200);
    ASSERT_EQ(
        server.request("POST", child_path(kid.id, "/board/redeem"), {}, bearer(mom.access)).status,
        201);
    const auto newest = json_of(
        server.request("GET", child_path(kid.id, "/boards?limit=1"), {}, bearer(mom.access)));
    ASSERT_EQ(newest["items"].size(), 1U);
    EXPECT_EQ(newest["items"][0]["number"], 2);
    ASSERT_EQ(newest["next_cursor"], 2);
    const auto oldest = json_of(server.request(
        "GET", child_path(kid.id, "/boards?limit=1&cursor=2"), {}, bearer(mom.access)));
    ASSERT_EQ(oldest["items"].size(), 1U);
    EXPECT_EQ(oldest["items"][0]["number"], 1);
    EXPECT_TRUE(oldest["next_cursor"].is_null());
    for (const auto* name : {"공룡 퍼즐", "색연필"}) {
        ASSERT_EQ(server
                      .request("POST", child_path(kid.id, "/wishlist"),
                               nlohmann::json{{"name", name}}.dump(), bearer(kid.access))
                      .status,
                  201);
    }
    const auto first_two = json_of(
        server.request("GET", child_path(kid.id, "/wishlist?limit=2"), {}, bearer(mom.access)));
    ASSERT_EQ(first_two["items"].size(), 2U);
    ASSERT_TRUE(first_two["next_cursor"].is_number());
    const auto rest = json_of(server.request(
        "GET",
        child_path(kid.id, "/wishlist?limit=2&cursor=" +
                               std::to_string(first_two["next_cursor"].get<std::int64_t>())),
        {}, bearer(mom.access)));
    ASSERT_EQ(rest["items"].size(), 1U);
    EXPECT_EQ(rest["items"][0]["name"], "색연필");
    EXPECT_TRUE(rest["next_cursor"].is_null());
    for (const auto* list_path : {"/boards", "/wishlist"}) {
        for (const auto* bad : {"?cursor=abc", "?cursor=0", "?limit=0", "?limit=201"}) {
            const auto refused = server.request(
                "GET", child_path(kid.id, std::string{list_path} + bad), {}, bearer(mom.access));
            expect_problem(refused, 422, "validation_failed");
            EXPECT_EQ(json_of(refused)["errors"][0]["field"],
                      std::string_view{bad}.substr(1, std::string_view{bad}.find('=') - 1))
                << list_path << bad;
        }
    }
}

TEST(Grapes, AnotherFamilysChildIsNotFound) {
    family_server fixture;
    const auto& server = fixture.server;
    const auto mom = parent(server);
    const auto kid = child(server, mom);
    const auto other_mom = parent(server);
    const auto other_kid = child(server, other_mom);
    for (const auto& [method, path] :
         std::vector<std::pair<std::string, std::string>>{{"GET", "/board"},
                                                          {"GET", "/boards"},
                                                          {"GET", "/grapes/history"},
                                                          {"GET", "/wishlist"},
                                                          {"POST", "/board/redeem"}}) {
        expect_problem(
            server.request(method, child_path(kid.id, path), {}, bearer(other_mom.access)), 404,
            "not_found");
    }
    expect_problem(award(server, other_mom, kid.id, 5), 404, "not_found");
    expect_problem(attach(server, other_kid, kid.id, 1), 404, "not_found");
    expect_problem(server.request("PUT", child_path(kid.id, "/board"),
                                  nlohmann::json{{"goal", 10}}.dump(), bearer(other_mom.access)),
                   404, "not_found");
    // A parent's id is not a child's board.
    expect_problem(server.request("GET", child_path(mom.id, "/board"), {}, bearer(mom.access)), 404,
                   "not_found");
}

}  // namespace
}  // namespace poki::test
