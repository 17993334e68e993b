// The OpenAI chat-completions wire format, as far as mission ideas use it: the request the
// server sends, a whole answer, and a streamed answer's server-sent events.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "poki/ideas/idea_types.hpp"

namespace poki::ideas {

/// The request body. The tag and the titles to avoid travel as JSON data in the user
/// message, which the system message tells the model to read as a topic, never as orders.
[[nodiscard]] std::string completion_request(std::string_view model, const idea_tag& tag,
                                             age_band band, bool stream,
                                             std::span<const std::string> avoid_titles);

struct completion {
    std::string content;      ///< the assistant message's text
    std::int64_t tokens = 0;  ///< usage.total_tokens, 0 when the server did not say
};

/// choices[0].message.content of a whole answer; nullopt when the body is not that shape.
[[nodiscard]] std::optional<completion> read_completion(std::string_view body);

/// A streamed answer, fed as its bytes arrive: `data:` lines of chunks carrying
/// choices[0].delta.content, the last one perhaps `usage`, then `data: [DONE]`.
class completion_stream {
  public:
    /// The new pieces of text in `bytes` (lines may be split anywhere between calls).
    /// Throws poki::error (errc::unavailable) for a chunk that is not JSON of that shape.
    std::vector<std::string> feed(std::string_view bytes);

    [[nodiscard]] bool done() const noexcept { return done_; }
    [[nodiscard]] const completion& result() const noexcept { return result_; }

  private:
    void take_line(std::string_view line, std::vector<std::string>& pieces);

    std::string partial_;
    completion result_;
    bool done_ = false;
};

}  // namespace poki::ideas
