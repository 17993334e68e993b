#include "poki/ideas/idea_repository.hpp"

#include <algorithm>
#include <charconv>

#include "poki/db/sql_text.hpp"

namespace poki::ideas {
namespace {

constexpr std::string_view library_prefix = "lib-";
constexpr std::string_view generated_prefix = "gen-";

template <class Row>
idea to_idea(const Row& row, idea_origin origin) {
    idea out;
    out.id = idea_id({origin, row[0].template as<std::int64_t>()});
    out.tag = row[1].template as<std::string>();
    out.title = row[2].template as<std::string>();
    out.description = row[3].template as<std::string>();
    out.reward = row[4].template as<int>();
    return out;
}

}  // namespace

std::string idea_id(idea_key key) {
    return std::string{key.origin == idea_origin::library ? library_prefix : generated_prefix} +
           std::to_string(key.row);
}

std::optional<idea_key> parse_idea_id(std::string_view id) {
    idea_key key;
    if (id.starts_with(library_prefix)) {
        key.origin = idea_origin::library;
    } else if (id.starts_with(generated_prefix)) {
        key.origin = idea_origin::generated;
    } else {
        return std::nullopt;
    }
    const auto digits = id.substr(library_prefix.size());  // both prefixes are four bytes
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), key.row);
    if (ec != std::errc{} || end != digits.data() + digits.size() || key.row < 1 ||
        digits[0] == '0') {
        return std::nullopt;
    }
    return key;
}

void idea_repository::declare_statements(db::pool& database) {
    database.declare("ideas.library",
                     "SELECT id, tag, title, description, reward FROM mission_ideas"
                     " WHERE age_band = $1 AND ($2::text IS NULL OR tag = $2) ORDER BY id");
    database.declare("ideas.find",
                     "SELECT id, tag, title, description, reward FROM mission_ideas WHERE id = $1");
    // DO UPDATE (a no-op write) rather than DO NOTHING so a repeated title still returns
    // its row's id.
    database.declare(
        "ideas.store_generated",
        "INSERT INTO generated_ideas"
        " (tag_key, tag_label, age_band, title, description, reward)"
        " SELECT $1, $2, $3, t.title, t.description, t.reward"
        " FROM unnest($4::text[], $5::text[], $6::int[]) AS t(title, description, reward)"
        " ON CONFLICT (tag_key, age_band, title)"
        " DO UPDATE SET title = EXCLUDED.title"
        " RETURNING id, tag_key, title, description, reward");
    database.declare(
        "ideas.find_generated",
        "SELECT id, tag_key, title, description, reward, tag_label FROM generated_ideas"
        " WHERE id = $1");
}

awaitable<std::vector<idea>> idea_repository::library_ideas(db::read_pipeline& reads,
                                                            std::optional<std::string> tag,
                                                            age_band band) {
    const auto rows =
        co_await reads.query("ideas.library", db::params(std::string{to_string(band)}, tag));
    co_return db::rows_of<idea>(
        rows, [](const db::read_row& r) { return to_idea(r, idea_origin::library); });
}

awaitable<std::optional<idea>> idea_repository::find_in_library(db::read_pipeline& reads,
                                                                std::int64_t id) {
    const auto rows = co_await reads.query("ideas.find", db::params(id));
    if (rows.empty()) {
        co_return std::nullopt;
    }
    co_return to_idea(rows[0], idea_origin::library);
}

awaitable<std::vector<idea>> idea_repository::store_generated(
    db::pool& database, const idea_tag& tag, age_band band, std::span<const drafted_idea> drafts) {
    std::vector<std::string> titles;
    std::vector<std::string> descriptions;
    std::vector<std::int64_t> rewards;
    for (const auto& d : drafts) {
        titles.push_back(d.title);
        descriptions.push_back(d.description);
        rewards.push_back(d.reward);
    }
    auto stored = co_await database.transaction([&](pqxx::work& tx) {
        const auto rows = tx.exec_prepared("ideas.store_generated", tag.key, tag.label,
                                           std::string{to_string(band)}, db::text_array(titles),
                                           db::text_array(descriptions), db::int_array(rewards));
        std::vector<idea> out;
        out.reserve(rows.size());
        for (const auto& row : rows) {
            out.push_back(to_idea(row, idea_origin::generated));
        }
        return out;
    });
    // RETURNING follows no promised order: put the rows back in the drafts' order.
    std::vector<idea> ordered;
    for (const auto& title : titles) {
        const auto found = std::find_if(stored.begin(), stored.end(),
                                        [&](const idea& i) { return i.title == title; });
        if (found != stored.end()) {
            ordered.push_back(*found);
        }
    }
    co_return ordered;
}

awaitable<std::optional<generated_idea>> idea_repository::find_generated(db::read_pipeline& reads,
                                                                         std::int64_t id) {
    const auto rows = co_await reads.query("ideas.find_generated", db::params(id));
    if (rows.empty()) {
        co_return std::nullopt;
    }
    co_return generated_idea{to_idea(rows[0], idea_origin::generated),
                             rows[0][5].as<std::string>()};
}

}  // namespace poki::ideas
