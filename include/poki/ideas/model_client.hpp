// A model behind an OpenAI-compatible chat-completions endpoint, asked for mission ideas:
// whole answers for filling pools, streamed ones for the "new ideas" button. Every answer
// passes idea_checks before it is returned; anything else (unreachable, a non-2xx status,
// too slow, malformed, unsuitable) throws poki::error with errc::unavailable, and the
// caller answers from the offline library.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "poki/core/config.hpp"
#include "poki/http/client.hpp"
#include "poki/ideas/idea_checks.hpp"
#include "poki/ideas/idea_types.hpp"

namespace poki::ideas {

/// What /metrics shows of the model.
struct model_counters {
    std::atomic<std::uint64_t> calls{0};
    std::atomic<std::uint64_t> failures{0};  ///< calls that gave no usable ideas
    std::atomic<std::uint64_t> tokens{0};    ///< usage.total_tokens, summed
};

class model_client {
  public:
    model_client(net::io_context& ioc, const ideas_config& cfg, int max_reward);

    /// False without ideas.provider_url: the library is all there is.
    [[nodiscard]] bool configured() const noexcept { return !cfg_.provider_url.empty(); }

    awaitable<std::vector<drafted_idea>> write(const idea_tag& tag, age_band band,
                                               std::vector<std::string> avoid_titles);

    /// Receives the answer's text as the model writes it.
    using piece_sink = std::function<awaitable<void>(std::string_view)>;
    awaitable<std::vector<drafted_idea>> write_streaming(const idea_tag& tag, age_band band,
                                                         piece_sink on_piece);

    [[nodiscard]] const model_counters& counters() const noexcept { return counters_; }

  private:
    [[nodiscard]] std::map<std::string, std::string> headers() const;
    std::vector<drafted_idea> checked(const std::string& content, std::int64_t tokens);
    [[noreturn]] void fail(std::string why);

    const ideas_config& cfg_;
    int max_reward_;
    std::string endpoint_;
    http::client http_;
    model_counters counters_;
};

}  // namespace poki::ideas
