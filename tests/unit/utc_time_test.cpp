#include "poki/db/utc_time.hpp"

#include <stdexcept>

#include <gtest/gtest.h>

namespace poki::db {
namespace {

TEST(UtcTime, PostgresIsoTextBecomesRfc3339WithMilliseconds) {
    EXPECT_EQ(rfc3339_from_utc("2026-11-25 09:30:00.123456"), "2026-11-25T09:30:00.123Z");
    EXPECT_EQ(rfc3339_from_utc("2026-11-25 09:30:00.5"), "2026-11-25T09:30:00.500Z");
    EXPECT_EQ(rfc3339_from_utc("2026-11-25 09:30:00.0701"), "2026-11-25T09:30:00.070Z");
    // PostgreSQL prints no fraction at all for a whole second.
    EXPECT_EQ(rfc3339_from_utc("2026-01-01 00:00:00"), "2026-01-01T00:00:00.000Z");
}

TEST(UtcTime, AnyOtherShapeIsRefused) {
    for (const auto* text :
         {"", "2026-11-25", "2026-11-25T09:30:00", "2026-11-25 09:30:00+00", "2026-11-25 09:30:00.",
          "2026-11-25 09:30:00.1234567", "11/25/2026 09:30:00", "12026-11-25 09:30:00",
          "2026-1x-25 09:30:00", "2026-11-25 09:30:00 BC", "infinity"}) {
        EXPECT_THROW((void)rfc3339_from_utc(text), std::runtime_error) << text;
    }
}

TEST(UtcTime, TheSelectListExpressionConvertsToUtc) {
    EXPECT_EQ(utc("m.created_at"), "(m.created_at) AT TIME ZONE 'UTC'");
}

}  // namespace
}  // namespace poki::db
