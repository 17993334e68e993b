#include "poki/gifts/search_cache.hpp"

namespace poki::gifts {

std::string search_cache::key_of(const gift_query& query) {
    // Length-prefixed text, so that no two different queries share a key.
    std::string key;
    const auto add = [&key](std::string_view part) {
        key += std::to_string(part.size());
        key += ':';
        key += part;
    };
    const auto add_number = [&add](const std::optional<int>& n) {
        add(n ? std::to_string(*n) : std::string{});
    };
    add(query.text ? "t" + *query.text : std::string{});
    add(query.category ? "c" + *query.category : std::string{});
    add_number(query.min_price);
    add_number(query.max_price);
    add_number(query.age);
    add(std::to_string(static_cast<int>(query.sort)));
    add(std::to_string(query.offset));
    add(std::to_string(query.limit));
    return key;
}

std::optional<gift_page> search_cache::find(const gift_query& query) {
    const auto key = key_of(query);
    const std::lock_guard lock{mutex_};
    const auto it = index_.find(key);
    if (it == index_.end() || it->second->expires <= clock::now()) {
        ++misses_;
        return std::nullopt;
    }
    recent_.splice(recent_.begin(), recent_, it->second);
    ++hits_;
    return it->second->page;
}

void search_cache::store(const gift_query& query, gift_page page) {
    auto key = key_of(query);
    const auto expires = clock::now() + ttl_;
    const std::lock_guard lock{mutex_};
    if (const auto it = index_.find(key); it != index_.end()) {
        it->second->page = std::move(page);
        it->second->expires = expires;
        recent_.splice(recent_.begin(), recent_, it->second);
        return;
    }
    if (index_.size() >= capacity_ && !recent_.empty()) {
        index_.erase(recent_.back().key);
        recent_.pop_back();
    }
    recent_.push_front(entry{key, std::move(page), expires});
    index_.emplace(std::move(key), recent_.begin());
}

std::uint64_t search_cache::hits() const {
    const std::lock_guard lock{mutex_};
    return hits_;
}

std::uint64_t search_cache::misses() const {
    const std::lock_guard lock{mutex_};
    return misses_;
}

}  // namespace poki::gifts
