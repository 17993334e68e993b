// Request ids: accepted from X-Request-Id when safe to log, otherwise generated.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>

namespace poki {

/// Makes ids unique across processes (random prefix) and cheap to make (a counter).
class request_id_generator {
  public:
    request_id_generator();
    explicit request_id_generator(std::uint64_t process_prefix) : prefix_{process_prefix} {}

    [[nodiscard]] std::string next();

  private:
    std::uint64_t prefix_;
    std::atomic<std::uint64_t> counter_{0};
};

/// Whether a client-supplied id may be used as is: 1..128 characters of [A-Za-z0-9._:-].
[[nodiscard]] bool is_acceptable_request_id(std::string_view id) noexcept;

/// The client's id when acceptable, otherwise a new one.
[[nodiscard]] std::string choose_request_id(std::string_view client_id,
                                            request_id_generator& generator);

}  // namespace poki
