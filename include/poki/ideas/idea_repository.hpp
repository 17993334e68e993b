// SQL for mission ideas: the offline library (sql/0016_mission_ideas.sql) and the ideas a
// model wrote (sql/0017_generated_ideas.sql).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "poki/db/pool.hpp"
#include "poki/db/read_pipeline.hpp"
#include "poki/ideas/idea_checks.hpp"
#include "poki/ideas/idea_types.hpp"

namespace poki::ideas {

/// An idea a model wrote, with the tag's name as the parent typed it (a free tag's key has
/// lost its spaces).
struct generated_idea {
    idea item;
    std::string tag_label;
};

class idea_repository {
  public:
    static void declare_statements(db::pool& database);

    /// The library's ideas for `band`: of catalog tag `tag`, or of every tag when there is none
    /// (a few hundred at most: the library is the curated set the migrations write).
    static awaitable<std::vector<idea>> library_ideas(db::read_pipeline& reads,
                                                      std::optional<std::string> tag,
                                                      age_band band);
    /// The library's idea with this row id.
    static awaitable<std::optional<idea>> find_in_library(db::read_pipeline& reads,
                                                          std::int64_t id);

    /// Keeps a model's checked ideas; one row per tag, band and title (a repeated title
    /// gets the earlier row's id). The ideas in the drafts' order, with their ids.
    static awaitable<std::vector<idea>> store_generated(db::pool& database, const idea_tag& tag,
                                                        age_band band,
                                                        std::span<const drafted_idea> drafts);
    /// A generated idea by row id.
    static awaitable<std::optional<generated_idea>> find_generated(db::read_pipeline& reads,
                                                                   std::int64_t id);
};

/// Where an idea is kept, as its id says: "lib-17" is the library's row 17, "gen-17" the
/// generated ideas' row 17.
enum class idea_origin { library, generated };
struct idea_key {
    idea_origin origin = idea_origin::library;
    std::int64_t row = 0;
};
[[nodiscard]] std::string idea_id(idea_key key);
/// nullopt for text that is no idea id.
[[nodiscard]] std::optional<idea_key> parse_idea_id(std::string_view id);

}  // namespace poki::ideas
