#include "poki/ideas/near_pools.hpp"

#include <algorithm>
#include <numeric>
#include <random>
#include <utility>

namespace poki::ideas {
namespace {

/// Past this many copies, the stale ones go (a copy is only ever read within `keep`).
constexpr std::size_t prune_above = 512;

std::mt19937& generator() {
    thread_local std::mt19937 random{std::random_device{}()};
    return random;
}

}  // namespace

std::vector<idea> random_ideas(const std::vector<idea>& from, int count) {
    std::vector<std::size_t> order(from.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    const auto take = std::min(order.size(), static_cast<std::size_t>(std::max(count, 0)));
    // The first `take` places of a partial Fisher-Yates shuffle.
    for (std::size_t i = 0; i < take; ++i) {
        std::uniform_int_distribution<std::size_t> pick{i, order.size() - 1};
        std::swap(order[i], order[pick(generator())]);
    }
    std::vector<idea> out;
    out.reserve(take);
    for (std::size_t i = 0; i < take; ++i) {
        out.push_back(from[order[i]]);
    }
    return out;
}

std::optional<std::vector<idea>> near_pools::pick(const std::string& key, int count) {
    if (keep_.count() <= 0) {
        return std::nullopt;
    }
    const std::lock_guard lock{mutex_};
    const auto found = copies_.find(key);
    if (found == copies_.end() ||
        std::chrono::steady_clock::now() - found->second.read_at >= keep_) {
        return std::nullopt;
    }
    if (counting_ == copy_uses::counted) {
        ++found->second.uses;
    }
    return random_ideas(found->second.ideas, count);
}

int near_pools::take_uses(const std::string& key) {
    const std::lock_guard lock{mutex_};
    const auto found = copies_.find(key);
    return found == copies_.end() ? 0 : std::exchange(found->second.uses, 0);
}

void near_pools::keep(const std::string& key, std::vector<idea> ideas) {
    if (keep_.count() <= 0) {
        return;
    }
    const auto now = std::chrono::steady_clock::now();
    const std::lock_guard lock{mutex_};
    if (copies_.size() > prune_above) {
        drop_stale(now);
    }
    auto& c = copies_[key];
    c.ideas = std::move(ideas);
    c.read_at = now;
}

void near_pools::forget(const std::string& key) {
    const std::lock_guard lock{mutex_};
    copies_.erase(key);
}

// The uses a stale copy still holds go with it: a pool nobody asked for again since, whose
// frequency is decaying anyway, loses at most one interval's uses.
void near_pools::drop_stale(std::chrono::steady_clock::time_point now) {
    std::erase_if(copies_, [&](const auto& entry) { return now - entry.second.read_at >= keep_; });
}

}  // namespace poki::ideas
