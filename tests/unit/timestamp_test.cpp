// core/timestamp: RFC 3339 times the API accepts and the form it answers in.
#include "poki/core/timestamp.hpp"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace poki
