// grapes/grape_types: the board's numbers (waiting, full) from its ledger balance.
#include <gtest/gtest.h>

#include "poki/core/timestamp.hpp"
#include "poki/gifts/gift_routes.hpp"
#include "poki/grapes/grape_json.hpp"
#include "poki/missions/mission_types.hpp"

namespace poki {
namespace {

using std::chrono::milliseconds;

TEST(Board, WaitingFullAndItsJson) {
    grapes::board b;
    b.child_id = 7;
    b.goal = 5;
    b.balance = 8;
    b.attached = 5;
    EXPECT_EQ(b.waiting(), 3);
    EXPECT_TRUE(b.full());
    auto json = grapes::board_json(b);
    EXPECT_EQ(json["status"], "full");
    EXPECT_EQ(json["waiting"], 3);
    EXPECT_EQ(json["total"], 8);
    EXPECT_TRUE(json["gift"].is_null());
    b.attached = 4;
    b.gift = grapes::board_gift{3, "분홍 자전거", std::nullopt};
    json = grapes::board_json(b);
    EXPECT_EQ(json["status"], "collecting");
    EXPECT_EQ(json["gift"]["name"], "분홍 자전거");
}

}  // namespace
}  // namespace poki
