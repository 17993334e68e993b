#include "poki/http/connection_registry.hpp"

#include <vector>

namespace poki::http {

connection_registry::registration& connection_registry::registration::operator=(
    registration&& other) noexcept {
    if (this != &other) {
        if (owner_ != nullptr) {
            owner_->remove(id_);
        }
        owner_ = other.owner_;
        id_ = other.id_;
        other.owner_ = nullptr;
    }
    return *this;
}

connection_registry::registration::~registration() {
    if (owner_ != nullptr) {
        owner_->remove(id_);
    }
}

connection_registry::registration connection_registry::add(
    const std::weak_ptr<tracked_connection>& connection) {
    std::uint64_t id = 0;
    {
        const std::lock_guard lock{mutex_};
        id = next_id_++;
        connections_.emplace(id, connection);
    }
    if (draining()) {
        if (auto c = connection.lock()) {
            c->stop(false);
        }
    }
    return registration{this, id};
}

void connection_registry::stop_all(bool immediately) {
    draining_.store(true, std::memory_order_release);
    std::vector<std::shared_ptr<tracked_connection>> live;
    {
        const std::lock_guard lock{mutex_};
        live.reserve(connections_.size());
        for (const auto& [id, weak] : connections_) {
            if (auto c = weak.lock()) {
                live.push_back(std::move(c));
            }
        }
    }
    // Called without the lock: stop() posts, and a session may deregister meanwhile.
    for (const auto& c : live) {
        c->stop(immediately);
    }
}

std::size_t connection_registry::close_overdue(std::chrono::steady_clock::time_point now) {
    std::vector<std::shared_ptr<tracked_connection>> overdue;
    {
        const std::lock_guard lock{mutex_};
        for (const auto& [id, weak] : connections_) {
            if (auto c = weak.lock(); c && c->overdue(now)) {
                overdue.push_back(std::move(c));
            }
        }
    }
    for (const auto& c : overdue) {
        c->stop(true);
    }
    return overdue.size();
}

std::size_t connection_registry::size() const {
    const std::lock_guard lock{mutex_};
    return connections_.size();
}

void connection_registry::remove(std::uint64_t id) {
    const std::lock_guard lock{mutex_};
    connections_.erase(id);
}

}  // namespace poki::http
