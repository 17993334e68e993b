#include "poki/ideas/idea_service.hpp"

#include <algorithm>

#include "poki/core/error.hpp"
#include "poki/ideas/idea_repository.hpp"
#include "poki/ideas/idea_tags.hpp"

namespace poki::ideas {
namespace {

/// The Korean name a mission made from the idea carries as its tag.
std::string label_of(const std::string& key) {
    const auto catalog = tag_catalog();
    const auto found = std::find_if(catalog.begin(), catalog.end(),
                                    [&](const catalog_tag& t) { return t.key == key; });
    return found != catalog.end() ? std::string{found->label} : key;
}

}  // namespace

idea_service::idea_service(db::pool& database, db::read_pipeline& reads,
                           missions::mission_service& missions)
    : reads_{reads}, missions_{missions} {
    idea_repository::declare_statements(database);
}

awaitable<idea_answer> idea_service::suggest(principal who, idea_tag tag, age_band band) {
    require_parent(who);
    idea_answer answer{std::move(tag), band, "library", {}};
    if (answer.tag.known) {
        answer.items = co_await idea_repository::random_from_library(reads_, answer.tag.key, band,
                                                                     ideas_per_answer);
    }
    if (answer.items.empty()) {
        answer.items = co_await idea_repository::random_from_library(reads_, std::nullopt, band,
                                                                     ideas_per_answer);
    }
    co_return answer;
}

awaitable<keyed_answer> idea_service::assign(principal who, idea_assignment input,
                                             std::optional<request_key> key) {
    require_parent(who);
    const auto row = library_row(input.idea_id);
    std::optional<idea> found;
    if (row) {
        found = co_await idea_repository::find_in_library(reads_, *row);
    }
    if (!found) {
        throw error{errc::not_found, "No such idea."};
    }
    missions::new_mission m;
    m.child_id = input.child_id;
    m.title = found->title;
    m.description = found->description;
    m.tag = label_of(found->tag);
    m.reward = found->reward;
    m.due_at = std::move(input.due_at);
    co_return co_await missions_.create(who, std::move(m), std::move(key));
}

}  // namespace poki::ideas
