#include "poki/ideas/model_client.hpp"

#include "poki/core/error.hpp"
#include "poki/core/log.hpp"
#include "poki/ideas/model_protocol.hpp"

namespace poki::ideas {
namespace {

std::string endpoint_of(std::string base) {
    while (base.ends_with('/')) {
        base.pop_back();
    }
    return base.empty() ? base : base + "/chat/completions";
}

}  // namespace

model_client::model_client(net::io_context& ioc, const ideas_config& cfg, int max_reward)
    : cfg_{cfg}
    , max_reward_{max_reward}
    , endpoint_{endpoint_of(cfg.provider_url)}
    , http_{ioc, cfg.ca_file} {}

std::map<std::string, std::string> model_client::headers() const {
    std::map<std::string, std::string> out{{"Accept", "application/json, text/event-stream"}};
    if (!cfg_.api_key.empty()) {
        out.emplace("Authorization", "Bearer " + cfg_.api_key);
    }
    return out;
}

void model_client::fail(std::string why) {
    counters_.failures.fetch_add(1, std::memory_order_relaxed);
    // Says what went wrong with the call, never what was asked or answered.
    log::warn("mission ideas: the model gave no usable ideas", {{"reason", why}});
    throw error{errc::unavailable, std::move(why)};
}

std::vector<drafted_idea> model_client::checked(const std::string& content, std::int64_t tokens) {
    counters_.tokens.fetch_add(static_cast<std::uint64_t>(std::max<std::int64_t>(tokens, 0)),
                               std::memory_order_relaxed);
    auto ideas = read_ideas(content, max_reward_);
    if (!ideas) {
        fail("the answer did not pass the checks (shape, length, suitability)");
    }
    return std::move(*ideas);
}

awaitable<std::vector<drafted_idea>> model_client::write(const idea_tag& tag, age_band band,
                                                         std::vector<std::string> avoid_titles) {
    counters_.calls.fetch_add(1, std::memory_order_relaxed);
    http::client_response res;
    try {
        res = co_await http_.post(endpoint_, "application/json",
                                  completion_request(cfg_.model, tag, band, false, avoid_titles),
                                  headers(), cfg_.request_timeout);
    } catch (const error& e) {
        fail(e.what());
    }
    if (res.status < 200 || res.status >= 300) {
        fail("status " + std::to_string(res.status));
    }
    const auto answer = read_completion(res.body);
    if (!answer) {
        fail("not a chat completion");
    }
    co_return checked(answer->content, answer->tokens);
}

awaitable<std::vector<drafted_idea>> model_client::write_streaming(const idea_tag& tag,
                                                                   age_band band,
                                                                   piece_sink on_piece) {
    counters_.calls.fetch_add(1, std::memory_order_relaxed);
    completion_stream stream;
    const http::client::body_sink sink = [&](std::string_view bytes) -> awaitable<void> {
        for (const auto& piece : stream.feed(bytes)) {
            co_await on_piece(piece);
        }
    };
    const std::vector<std::string> avoid;  // a fresh answer for the button: anything goes
    auto request = completion_request(cfg_.model, tag, band, true, avoid);
    http::client_response res;
    try {
        res = co_await http_.post_streaming(endpoint_, "application/json", std::move(request),
                                            headers(), cfg_.request_timeout,
                                            cfg_.stream_idle_timeout, sink);
    } catch (const error& e) {
        fail(e.what());
    }
    if (res.status < 200 || res.status >= 300) {
        fail("status " + std::to_string(res.status));
    }
    if (!stream.done()) {
        fail("the stream ended before [DONE]");
    }
    co_return checked(stream.result().content, stream.result().tokens);
}

}  // namespace poki::ideas
