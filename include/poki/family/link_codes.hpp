// One-time family link codes in Redis: 8 characters without look-alikes, 10 minutes, one use.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "poki/cache/redis_client.hpp"
#include "poki/core/principal.hpp"

namespace poki::family {

struct link_code {
    std::string code;
    std::int64_t family_id = 0;
    poki::role admits = role::child;
    std::int64_t created_by = 0;
    std::int64_t expires_at = 0;  ///< seconds since the epoch
};

/// No 0/O, 1/I/L: easy to read aloud and to type on a child's tablet.
inline constexpr std::string_view link_code_alphabet{"23456789ABCDEFGHJKMNPQRSTUVWXYZ"};
inline constexpr std::size_t link_code_length = 8;

class link_codes {
  public:
    link_codes(cache::redis_client& redis, std::chrono::seconds lifetime)
        : redis_{redis}, lifetime_{lifetime} {}

    /// A fresh code admitting `admits` into the creator's family.
    awaitable<link_code> create(principal creator, poki::role admits);

    /// Takes the code out of Redis (atomically: of two concurrent redemptions one wins).
    /// nullopt for an unknown, used or expired code.
    awaitable<std::optional<link_code>> redeem(std::string code);

    /// Puts a redeemed code back for the rest of its life (when the join failed after all).
    awaitable<void> restore(link_code code);

    /// Upper-cases and drops spaces and dashes, as people type codes.
    [[nodiscard]] static std::string normalize(std::string_view typed);

  private:
    cache::redis_client& redis_;
    std::chrono::seconds lifetime_;
};

}  // namespace poki::family
