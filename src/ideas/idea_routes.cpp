#include "poki/ideas/idea_routes.hpp"

#include <array>
#include <charconv>
#include <limits>

#include "poki/auth/bearer.hpp"
#include "poki/core/json_reader.hpp"
#include "poki/http/idempotency.hpp"
#include "poki/http/json_body.hpp"
#include "poki/http/query_params.hpp"
#include "poki/http/responses.hpp"
#include "poki/http/streaming.hpp"
#include "poki/ideas/idea_json.hpp"
#include "poki/ideas/idea_tags.hpp"
#include "poki/missions/mission_fields.hpp"
#include "poki/notify/sse_format.hpp"

namespace poki::ideas {
namespace {

constexpr std::size_t max_idea_id = 40;

std::optional<age_band> age_band_of(std::string_view text) {
    int age = 0;
    const auto* end = text.data() + text.size();
    const auto [ptr, ec] = std::from_chars(text.data(), end, age);
    if (text.empty() || ec != std::errc{} || ptr != end) {
        return std::nullopt;
    }
    return band_of_age(age);
}

/// `tag` and `age`, both required; every problem reported at once.
std::pair<idea_tag, age_band> read_question(const http::request_context& ctx) {
    std::vector<field_error> errors;
    std::optional<idea_tag> tag;
    if (const auto text = ctx.query_param("tag"); !text) {
        errors.push_back({"tag", "Choose a tag, like 독서 or reading.", "required", {}});
    } else if (tag = normalize_tag(*text); !tag) {
        errors.push_back({"tag",
                          "A tag is at most 20 letters (Korean or English), digits, spaces or "
                          "hyphens.",
                          "invalid_tag",
                          {{"max", static_cast<std::int64_t>(max_tag_chars)}}});
    }
    std::optional<age_band> band;
    if (const auto text = ctx.query_param("age"); !text) {
        errors.push_back({"age", "Give the child's age.", "required", {}});
    } else if (band = age_band_of(*text); !band) {
        errors.push_back({"age",
                          "Must be a whole number between " + std::to_string(youngest_age) +
                              " and " + std::to_string(oldest_age) + ".",
                          "out_of_range",
                          {{"min", youngest_age}, {"max", oldest_age}}});
    }
    if (!errors.empty()) {
        throw error::validation(std::move(errors));
    }
    return {std::move(*tag), *band};
}

idea_assignment read_assignment(const nlohmann::json& body) {
    json_reader in{body};
    in.reject_unknown({"idea_id", "child_id", "due_at"});
    idea_assignment a;
    a.idea_id = in.required_string("idea_id", {.min_chars = 1, .max_chars = max_idea_id});
    a.child_id = in.required_integer("child_id", 1, std::numeric_limits<std::int64_t>::max());
    a.due_at = missions::read_due_at(in);
    in.finish();
    return a;
}

awaitable<bool> write_event(http::stream_channel& channel, std::string_view type,
                            std::string_view data) {
    const auto event = notify::sse_event(type, data);
    const std::array buffers{net::buffer(event)};
    co_return co_await channel.write(buffers);
}

/// `piece` events with the model's text as it comes, then one `ideas` event with the
/// answer (the library's when the model could not). A client that leaves early is not
/// written to any more, but the answer is still kept for the pool.
awaitable<void> stream_ideas(idea_service& ideas, bool ask, idea_tag tag, age_band band,
                             http::stream_channel& channel) {
    bool open = true;
    const model_client::piece_sink on_piece = [&](std::string_view text) -> awaitable<void> {
        if (open) {
            nlohmann::json piece;
            piece["text"] = text;
            open = co_await write_event(channel, "piece", piece.dump());
        }
    };
    const auto answer = co_await ideas.stream(ask, std::move(tag), band, on_piece);
    if (open) {
        co_await write_event(channel, "ideas", answer_text(answer));
    }
}

struct idea_handlers {
    idea_service& ideas;
    auth::auth_service& auth;

    [[nodiscard]] awaitable<http::response> suggest(http::request_context& ctx) const {
        const auto who = co_await auth::require_parent(ctx, auth);
        auto [tag, band] = read_question(ctx);
        const auto answer = co_await ideas.suggest(who, std::move(tag), band);
        co_return http::json_text_response(http::status::ok, answer_text(answer));
    }

    [[nodiscard]] awaitable<http::response> stream(http::request_context& ctx) const {
        const auto who = co_await auth::require_parent(ctx, auth);
        auto question = read_question(ctx);
        const bool ask = co_await ideas.begin_stream(who);
        ctx.stream = [&service = ideas, ask, tag = std::move(question.first),
                      band = question.second](http::stream_channel& channel) mutable {
            return stream_ideas(service, ask, std::move(tag), band, channel);
        };
        http::response res{http::status::ok, 11};
        res.set(http::field::content_type, "text/event-stream; charset=utf-8");
        res.set(http::field::cache_control, "no-store");
        res.set("X-Accel-Buffering", "no");
        co_return res;
    }

    [[nodiscard]] awaitable<http::response> assign(http::request_context& ctx) const {
        const auto who = co_await auth::require_parent(ctx, auth);
        auto input = read_assignment(http::read_json_body(ctx));
        auto key = http::request_key_of(ctx, who.user_id);
        const auto made = co_await ideas.assign(who, std::move(input), std::move(key));
        co_return http::keyed_response(made);
    }
};

}  // namespace

void add_idea_routes(http::router& routes, idea_service& ideas, auth::auth_service& auth) {
    const idea_handlers h{ideas, auth};
    using http::verb;
    routes.add(verb::get, "/api/v1/mission-ideas", http::handler_of(h, &idea_handlers::suggest));
    routes.add(verb::get, "/api/v1/mission-ideas/stream",
               http::handler_of(h, &idea_handlers::stream));
    routes.add(verb::post, "/api/v1/mission-ideas/assign",
               http::handler_of(h, &idea_handlers::assign));
}

}  // namespace poki::ideas
