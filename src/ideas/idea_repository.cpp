#include "poki/ideas/idea_repository.hpp"

#include <charconv>

namespace poki::ideas {
namespace {

constexpr std::string_view library_prefix = "lib-";

idea to_idea(const db::read_row& row) {
    idea out;
    out.id = library_id(row[0].as<std::int64_t>());
    out.tag = row[1].as<std::string>();
    out.title = row[2].as<std::string>();
    out.description = row[3].as<std::string>();
    out.reward = row[4].as<int>();
    return out;
}

}  // namespace

std::string library_id(std::int64_t row) {
    return std::string{library_prefix} + std::to_string(row);
}

std::optional<std::int64_t> library_row(std::string_view id) {
    if (!id.starts_with(library_prefix)) {
        return std::nullopt;
    }
    const auto digits = id.substr(library_prefix.size());
    std::int64_t row = 0;
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), row);
    if (ec != std::errc{} || end != digits.data() + digits.size() || row < 1 || digits[0] == '0') {
        return std::nullopt;
    }
    return row;
}

void idea_repository::declare_statements(db::pool& database) {
    // At most a few hundred rows per band: sorting them at random costs less than the
    // round trip.
    database.declare("ideas.random",
                     "SELECT id, tag, title, description, reward FROM mission_ideas"
                     " WHERE age_band = $1 AND ($2::text IS NULL OR tag = $2)"
                     " ORDER BY random() LIMIT $3");
    database.declare("ideas.find",
                     "SELECT id, tag, title, description, reward FROM mission_ideas WHERE id = $1");
}

awaitable<std::vector<idea>> idea_repository::random_from_library(db::read_pipeline& reads,
                                                                  std::optional<std::string> tag,
                                                                  age_band band, int limit) {
    const auto rows =
        co_await reads.query("ideas.random", db::params(std::string{to_string(band)}, tag, limit));
    co_return db::rows_of<idea>(rows, [](const db::read_row& r) { return to_idea(r); });
}

awaitable<std::optional<idea>> idea_repository::find_in_library(db::read_pipeline& reads,
                                                                std::int64_t id) {
    const auto rows = co_await reads.query("ideas.find", db::params(id));
    if (rows.empty()) {
        co_return std::nullopt;
    }
    co_return to_idea(rows[0]);
}

}  // namespace poki::ideas
