// Recent catalog searches, kept per instance for a short while. The catalog changes only
// with a migration, and a fuzzy search costs PostgreSQL milliseconds of CPU (pg_trgm's
// word_similarity on every row the index cannot rule out; short Korean words rule out
// little), while the same few searches ("공룡", "레고") make up most of the traffic.
#pragma once

#include <chrono>
#include <cstddef>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "poki/gifts/gift_types.hpp"

namespace poki::gifts {

class search_cache {
  public:
    using clock = std::chrono::steady_clock;

    search_cache(std::size_t capacity, std::chrono::seconds ttl) : capacity_{capacity}, ttl_{ttl} {}

    /// A fresh answer for this query, if one is kept.
    [[nodiscard]] std::optional<gift_page> find(const gift_query& query);
    /// Keeps the answer; the least recently used one goes when the cache is full.
    void store(const gift_query& query, gift_page page);

    [[nodiscard]] std::uint64_t hits() const;
    [[nodiscard]] std::uint64_t misses() const;

  private:
    struct entry {
        std::string key;
        gift_page page;
        clock::time_point expires;
    };
    [[nodiscard]] static std::string key_of(const gift_query& query);

    std::size_t capacity_;
    std::chrono::seconds ttl_;
    mutable std::mutex mutex_;
    std::list<entry> recent_;  // most recently used first
    std::unordered_map<std::string, std::list<entry>::iterator> index_;
    std::uint64_t hits_ = 0;
    std::uint64_t misses_ = 0;
};

}  // namespace poki::gifts
