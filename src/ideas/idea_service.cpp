#include "poki/ideas/idea_service.hpp"

#include <algorithm>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "poki/core/error.hpp"
#include "poki/core/log.hpp"
#include "poki/core/metrics.hpp"
#include "poki/ideas/idea_repository.hpp"
#include "poki/ideas/idea_tags.hpp"

namespace poki::ideas {
namespace {

constexpr milliseconds wait_step{50};
constexpr std::chrono::seconds top_up_spacing{5};
constexpr std::size_t max_remembered_top_ups = 10000;
/// How long an instance answers from its copy of the library before reading it again.
constexpr milliseconds library_keep{60000};

/// The Korean name a mission made from a library idea carries as its tag.
std::string label_of(const std::string& key) {
    const auto catalog = tag_catalog();
    const auto found = std::find_if(catalog.begin(), catalog.end(),
                                    [&](const catalog_tag& t) { return t.key == key; });
    return found != catalog.end() ? std::string{found->label} : key;
}

/// The near copy's name for a pool.
std::string pool_key(const idea_tag& tag, age_band band) {
    return std::string{to_string(band)} + ":" + tag.key;
}

std::vector<std::string> titles_of(std::span<const idea> ideas) {
    std::vector<std::string> out;
    out.reserve(ideas.size());
    for (const auto& i : ideas) {
        out.push_back(i.title);
    }
    return out;
}

bool unavailable(const error& e) {
    return e.code() == errc::unavailable;
}

}  // namespace

idea_service::idea_service(db::pool& database, db::read_pipeline& reads,
                           missions::mission_service& missions, cache::redis_client& redis,
                           model_client& model, const ideas_config& cfg, wall_clock now)
    : database_{database}
    , reads_{reads}
    , missions_{missions}
    , model_{model}
    , cfg_{cfg}
    , cache_{redis, cfg, std::move(now)}
    , near_{cfg.near_cache}
    , library_{library_keep, copy_uses::not_counted} {
    idea_repository::declare_statements(database);
}

milliseconds idea_service::claim_hold() const {
    // Past the model's own deadline, plus time to keep its answer.
    return cfg_.request_timeout + milliseconds{2000};
}

awaitable<idea_answer> idea_service::from_library(idea_tag tag, age_band band) {
    idea_answer answer{std::move(tag), band, "library", {}};
    if (answer.tag.known) {
        answer.items = co_await library_pick(answer.tag.key, band);
    }
    if (answer.items.empty()) {
        answer.items = co_await library_pick(std::nullopt, band);
    }
    co_return answer;
}

awaitable<std::vector<idea>> idea_service::library_pick(std::optional<std::string> tag,
                                                        age_band band) {
    // No tag key holds '*' (the tag rule allows letters, digits and hyphens), so it names
    // "every tag".
    const auto key = std::string{to_string(band)} + ":" + (tag ? *tag : "*");
    if (auto near = library_.pick(key, ideas_per_answer)) {
        co_return std::move(*near);
    }
    auto all = co_await idea_repository::library_ideas(reads_, std::move(tag), band);
    auto answer = random_ideas(all, ideas_per_answer);
    library_.keep(key, std::move(all));
    co_return answer;
}

awaitable<idea_answer> idea_service::suggest(principal who, idea_tag tag, age_band band) {
    require_parent(who);
    if (!model_.configured()) {
        co_return co_await from_library(std::move(tag), band);
    }
    std::optional<idea_answer> answer;
    try {
        answer = co_await from_pool(who, tag, band);
    } catch (const error& e) {
        if (!unavailable(e)) {
            throw;
        }
        log::warn("mission ideas: the pools are unavailable, answering from the library",
                  {{"reason", e.what()}});
    }
    if (answer) {
        co_return std::move(*answer);
    }
    counters_.fallbacks.fetch_add(1, std::memory_order_relaxed);
    co_return co_await from_library(std::move(tag), band);
}

awaitable<std::optional<idea_answer>> idea_service::from_pool(const principal& who,
                                                              const idea_tag& tag, age_band band) {
    const auto key = pool_key(tag, band);
    if (auto near = near_.pick(key, ideas_per_answer)) {
        counters_.hits.fetch_add(1, std::memory_order_relaxed);
        co_return idea_answer{tag, band, "cache", std::move(*near)};
    }
    // The whole pool, kept here for the next near_cache_ms, counting the uses served meanwhile
    // (without near copies, just the answer's five).
    const int read = cfg_.near_cache.count() > 0 ? cfg_.pool_size : ideas_per_answer;
    auto pick = co_await cache_.pick(tag, band, read, near_.take_uses(key) + 1);
    if (pick.ideas.empty()) {
        near_.forget(key);
        counters_.misses.fetch_add(1, std::memory_order_relaxed);
        co_return co_await fill_on_miss(who, tag, band, pick.filling);
    }
    counters_.hits.fetch_add(1, std::memory_order_relaxed);
    if (pick.size < cfg_.pool_size) {
        const auto executor = co_await net::this_coro::executor;
        top_up_later(executor, tag, band, titles_of(pick.ideas));
    }
    auto answer = random_ideas(pick.ideas, ideas_per_answer);
    near_.keep(key, std::move(pick.ideas));
    co_return idea_answer{tag, band, "cache", std::move(answer)};
}

awaitable<std::optional<idea_answer>> idea_service::fill_on_miss(const principal& who,
                                                                 const idea_tag& tag, age_band band,
                                                                 bool filling) {
    if (filling) {
        co_return co_await wait_for_fill(tag, band);
    }
    if (co_await cache_.backing_off()) {
        co_return std::nullopt;
    }
    const auto token = co_await cache_.claim(tag, band, claim_hold());
    if (!token) {
        co_return co_await wait_for_fill(tag, band);
    }
    std::optional<std::vector<idea>> fresh;
    std::exception_ptr failure;
    try {
        if (co_await cache_.allow_family_call(who.family_id)) {
            std::vector<std::string> avoid;  // an empty pool has nothing to avoid
            fresh = co_await ask_model(tag, band, std::move(avoid));
        }
    } catch (...) {
        failure = std::current_exception();
    }
    co_await cache_.release(tag, band, *token);
    if (failure) {
        std::rethrow_exception(failure);
    }
    if (!fresh || fresh->empty()) {
        co_return std::nullopt;
    }
    if (fresh->size() > static_cast<std::size_t>(ideas_per_answer)) {
        fresh->resize(ideas_per_answer);
    }
    co_return idea_answer{tag, band, "model", std::move(*fresh)};
}

awaitable<std::optional<idea_answer>> idea_service::wait_for_fill(const idea_tag& tag,
                                                                  age_band band) {
    const auto deadline = std::chrono::steady_clock::now() + cfg_.fill_wait;
    net::steady_timer timer{co_await net::this_coro::executor};
    while (std::chrono::steady_clock::now() + wait_step <= deadline) {
        timer.expires_after(wait_step);
        co_await timer.async_wait(net::use_awaitable);
        auto pick = co_await cache_.pick(tag, band, ideas_per_answer);
        if (!pick.ideas.empty()) {
            counters_.hits.fetch_add(1, std::memory_order_relaxed);
            co_return idea_answer{tag, band, "cache", std::move(pick.ideas)};
        }
        if (!pick.filling) {
            co_return std::nullopt;  // the call it waited for failed
        }
    }
    co_return std::nullopt;
}

awaitable<std::optional<std::vector<idea>>> idea_service::ask_model(
    const idea_tag& tag, age_band band, std::vector<std::string> avoid) {
    std::vector<drafted_idea> drafts;
    try {
        drafts = co_await model_.write(tag, band, std::move(avoid));
    } catch (const error& e) {
        if (!unavailable(e)) {
            throw;
        }
    }
    if (drafts.empty()) {
        co_await cache_.record_failure();
        co_return std::nullopt;
    }
    co_await cache_.record_success();
    co_return co_await keep(tag, band, drafts);
}

awaitable<std::vector<idea>> idea_service::keep(const idea_tag& tag, age_band band,
                                                std::span<const drafted_idea> drafts) {
    auto stored = co_await idea_repository::store_generated(database_, tag, band, drafts);
    const auto filled = co_await cache_.fill(tag, band, stored);
    counters_.evictions.fetch_add(filled.evicted.size(), std::memory_order_relaxed);
    co_return stored;
}

void idea_service::top_up_later(const net::any_io_executor& executor, const idea_tag& tag,
                                age_band band, std::vector<std::string> avoid) {
    {
        const std::lock_guard lock{top_up_mutex_};
        const auto now = std::chrono::steady_clock::now();
        auto& tried = top_up_tried_[pool_key(tag, band)];
        if (tried != std::chrono::steady_clock::time_point{} && now - tried < top_up_spacing) {
            return;
        }
        tried = now;
        if (top_up_tried_.size() > max_remembered_top_ups) {
            top_up_tried_.clear();
        }
    }
    top_ups_in_flight_.fetch_add(1);
    net::co_spawn(executor, top_up(tag, band, std::move(avoid)),
                  [this](const std::exception_ptr& failure) {
                      top_ups_in_flight_.fetch_sub(1);
                      try {
                          if (failure) {
                              std::rethrow_exception(failure);
                          }
                      } catch (const std::exception& e) {
                          log::warn("mission ideas: a top-up failed", {{"reason", e.what()}});
                      }
                  });
}

awaitable<void> idea_service::top_up(idea_tag tag, age_band band, std::vector<std::string> avoid) {
    if (co_await cache_.backing_off()) {
        co_return;
    }
    const auto token = co_await cache_.claim(tag, band, claim_hold());
    if (!token) {
        co_return;  // someone is filling it already
    }
    std::exception_ptr failure;
    try {
        co_await ask_model(tag, band, std::move(avoid));
    } catch (...) {
        failure = std::current_exception();
    }
    co_await cache_.release(tag, band, *token);
    if (failure) {
        std::rethrow_exception(failure);
    }
}

awaitable<bool> idea_service::begin_stream(principal who) {
    require_parent(who);
    if (!model_.configured()) {
        co_return false;
    }
    try {
        if (co_await cache_.backing_off()) {
            co_return false;
        }
        if (!co_await cache_.allow_family_call(who.family_id)) {
            throw error::too_many(std::chrono::minutes{10}, "ideas_rate_limited",
                                  "This family asked for many new ideas this hour; the saved "
                                  "ideas are still there.");
        }
    } catch (const error& e) {
        if (!unavailable(e)) {
            throw;
        }
        co_return false;  // without Redis there is no limit to hold the key to: no model
    }
    co_return true;
}

awaitable<idea_answer> idea_service::stream(bool ask, idea_tag tag, age_band band,
                                            model_client::piece_sink on_piece) {
    std::vector<drafted_idea> drafts;
    if (ask) {
        try {
            drafts = co_await model_.write_streaming(tag, band, std::move(on_piece));
        } catch (const error& e) {
            if (!unavailable(e)) {
                throw;
            }
        }
    }
    std::optional<idea_answer> answer;
    try {
        if (!drafts.empty()) {
            co_await cache_.record_success();
            auto kept = co_await keep(tag, band, drafts);
            answer = idea_answer{tag, band, "model", std::move(kept)};
        } else if (ask) {
            co_await cache_.record_failure();
        }
    } catch (const error& e) {
        if (!unavailable(e)) {
            throw;
        }
        log::warn("mission ideas: a streamed answer was not kept", {{"reason", e.what()}});
    }
    if (answer) {
        co_return std::move(*answer);
    }
    if (model_.configured()) {
        counters_.fallbacks.fetch_add(1, std::memory_order_relaxed);
    }
    co_return co_await from_library(std::move(tag), band);
}

awaitable<keyed_answer> idea_service::assign(principal who, idea_assignment input,
                                             std::optional<request_key> key) {
    require_parent(who);
    const auto id = parse_idea_id(input.idea_id);
    std::optional<idea> found;
    std::string tag_label;
    if (id && id->origin == idea_origin::library) {
        found = co_await idea_repository::find_in_library(reads_, id->row);
        if (found) {
            tag_label = label_of(found->tag);
        }
    } else if (id) {
        auto generated = co_await idea_repository::find_generated(reads_, id->row);
        if (generated) {
            found = std::move(generated->item);
            tag_label = std::move(generated->tag_label);
        }
    }
    if (!found) {
        throw error{errc::not_found, "No such idea."};
    }
    missions::new_mission m;
    m.child_id = input.child_id;
    m.title = found->title;
    m.description = found->description;
    m.tag = std::move(tag_label);
    m.reward = found->reward;
    m.due_at = std::move(input.due_at);
    co_return co_await missions_.create(who, std::move(m), std::move(key));
}

awaitable<void> idea_service::finish_background(milliseconds bound) {
    const auto deadline = std::chrono::steady_clock::now() + bound;
    net::steady_timer timer{co_await net::this_coro::executor};
    while (top_ups_in_flight_.load() > 0 && std::chrono::steady_clock::now() < deadline) {
        timer.expires_after(wait_step);
        co_await timer.async_wait(net::use_awaitable);
    }
}

void idea_service::render_metrics(std::string& out) const {
    const auto& model = model_.counters();
    append_counter(out, "poki_ideas_hits_total", "Mission-idea answers from a Redis pool.",
                   static_cast<double>(counters_.hits.load()));
    append_counter(out, "poki_ideas_misses_total",
                   "Mission-idea requests that found their pool empty.",
                   static_cast<double>(counters_.misses.load()));
    append_counter(out, "poki_ideas_fallbacks_total",
                   "Mission-idea answers from the offline library although a model is configured.",
                   static_cast<double>(counters_.fallbacks.load()));
    append_counter(out, "poki_ideas_evictions_total", "Tags evicted from the idea pools (LFU).",
                   static_cast<double>(counters_.evictions.load()));
    append_counter(out, "poki_ideas_model_calls_total", "Calls to the mission-idea model.",
                   static_cast<double>(model.calls.load()));
    append_counter(out, "poki_ideas_model_failures_total",
                   "Model calls that gave no usable ideas (unreachable, status, timeout, checks).",
                   static_cast<double>(model.failures.load()));
    append_counter(out, "poki_ideas_model_tokens_total", "Tokens the model reported using.",
                   static_cast<double>(model.tokens.load()));
}

}  // namespace poki::ideas
