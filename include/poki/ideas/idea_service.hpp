// Mission ideas for parents: a few ideas for a tag and a child's age, and one of them given
// to a child as an ordinary mission. The ideas come from the offline library
// (sql/0016_mission_ideas.sql), which is also what answers whenever a model cannot.
#pragma once

#include <optional>

#include "poki/core/principal.hpp"
#include "poki/core/request_key.hpp"
#include "poki/db/read_pipeline.hpp"
#include "poki/ideas/idea_types.hpp"
#include "poki/missions/mission_service.hpp"

namespace poki::ideas {

class idea_service {
  public:
    idea_service(db::pool& database, db::read_pipeline& reads, missions::mission_service& missions);

    static constexpr int ideas_per_answer = 5;

    /// Parents. Different ideas on different calls when the library holds more than five;
    /// a free tag the library has no ideas for gets ideas of every tag for the age.
    awaitable<idea_answer> suggest(principal who, idea_tag tag, age_band band);
    /// Parents: the idea as an assigned mission for their child (mission.assigned, pushed
    /// when offline); the answer is the mission. 404 for an idea that does not exist.
    awaitable<keyed_answer> assign(principal who, idea_assignment input,
                                   std::optional<request_key> key = std::nullopt);

  private:
    db::read_pipeline& reads_;
    missions::mission_service& missions_;
};

}  // namespace poki::ideas
