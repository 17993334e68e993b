// What missions, boards and wishlists read and write without a database: due times, web
// addresses, mission states and the board's numbers.
#include <gtest/gtest.h>

#include "poki/core/timestamp.hpp"
#include "poki/gifts/gift_routes.hpp"
#include "poki/grapes/grape_events.hpp"
#include "poki/missions/mission_types.hpp"

namespace poki {
namespace {

using std::chrono::milliseconds;

TEST(Timestamp, ReadsZonesAndFractions) {
    const auto utc = parse_rfc3339("2026-12-24T09:00:00Z");
    ASSERT_TRUE(utc);
    EXPECT_EQ(format_rfc3339(*utc), "2026-12-24T09:00:00.000Z");
    EXPECT_EQ(parse_rfc3339("2026-12-24T18:00:00+09:00"), utc);
    EXPECT_EQ(parse_rfc3339("2026-12-24T04:30:00-04:30"), utc);
    const auto fraction = parse_rfc3339("2026-12-24T09:00:00.25Z");
    ASSERT_TRUE(fraction);
    EXPECT_EQ(*fraction - *utc, milliseconds{250});
    EXPECT_EQ(format_rfc3339(*fraction), "2026-12-24T09:00:00.250Z");
    EXPECT_EQ(format_rfc3339(*parse_rfc3339("2024-02-29T23:59:59.999+00:00")),
              "2024-02-29T23:59:59.999Z");
}

TEST(Timestamp, RefusesAnythingElse) {
    for (const auto* bad :
         {"", "2026-12-24", "2026-12-24T09:00:00", "2026-12-24 09:00:00Z", "2026-13-01T00:00:00Z",
          "2026-02-29T00:00:00Z", "2026-12-24T24:00:00Z", "2026-12-24T09:60:00Z",
          "2026-12-24T09:00:00.Z", "2026-12-24T09:00:00+9:00", "2026-12-24T09:00:00Zjunk",
          "26-12-24T09:00:00Z", "2026-12-24T09:00:00+24:00", "２０２６-12-24T09:00:00Z"}) {
        EXPECT_FALSE(parse_rfc3339(bad)) << bad;
    }
}

TEST(WebUrl, OnlyHttpAndHttpsWithAHost) {
    EXPECT_TRUE(gifts::is_web_url("https://shop.example.com/p/1?x=y#z"));
    EXPECT_TRUE(gifts::is_web_url("http://localhost:8080/"));
    for (const auto* bad :
         {"ftp://example.com", "javascript:alert(1)", "https://", "example.com", "https://a b.com/",
          "https://user:pw@example.com/", "HTTPS//x", "https://example.com/\n"}) {
        EXPECT_FALSE(gifts::is_web_url(bad)) << bad;
    }
    EXPECT_FALSE(gifts::is_web_url("https://example.com/" + std::string(2000, 'a')));
}

TEST(MissionStatus, NamesRoundTrip) {
    using missions::mission_status;
    for (const auto s :
         {mission_status::assigned, mission_status::submitted, mission_status::approved,
          mission_status::rejected, mission_status::expired}) {
        EXPECT_EQ(missions::parse_mission_status(missions::to_string(s)), s);
    }
    EXPECT_FALSE(missions::parse_mission_status("done"));
    EXPECT_FALSE(missions::parse_mission_status("Approved"));
}

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
