// missions/mission_types: mission states as the API names them.
#include "poki/missions/mission_types.hpp"

#include <gtest/gtest.h>

#include "poki/core/timestamp.hpp"
#include "poki/gifts/gift_routes.hpp"
#include "poki/grapes/grape_events.hpp"

namespace poki {
namespace {

using std::chrono::milliseconds;

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

}  // namespace
}  // namespace poki
