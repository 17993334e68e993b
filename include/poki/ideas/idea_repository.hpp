// SQL for the offline library of mission ideas (sql/0016_mission_ideas.sql).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "poki/db/pool.hpp"
#include "poki/db/read_pipeline.hpp"
#include "poki/ideas/idea_types.hpp"

namespace poki::ideas {

class idea_repository {
  public:
    static void declare_statements(db::pool& database);

    /// Up to `limit` of the library's ideas for `band`, at random: of catalog tag `tag`, or of
    /// every tag when there is none.
    static awaitable<std::vector<idea>> random_from_library(db::read_pipeline& reads,
                                                            std::optional<std::string> tag,
                                                            age_band band, int limit);
    /// The library's idea with this row id.
    static awaitable<std::optional<idea>> find_in_library(db::read_pipeline& reads,
                                                          std::int64_t id);
};

/// "lib-17" for the library's row 17; and back (nullopt for another kind of id).
[[nodiscard]] std::string library_id(std::int64_t row);
[[nodiscard]] std::optional<std::int64_t> library_row(std::string_view id);

}  // namespace poki::ideas
