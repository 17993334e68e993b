// How many of something one user may hold at once on this instance (event streams,
// WebSockets): a place is reserved before the thing opens and given back when it ends.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <unordered_map>
#include <utility>

namespace poki {

class per_user_limit {
  public:
    /// One reserved place; given back when destroyed.
    class place {
      public:
        place(per_user_limit& owner, std::int64_t user_id) : owner_{&owner}, user_id_{user_id} {}
        ~place() {
            if (owner_ != nullptr) {
                owner_->give_back(user_id_);
            }
        }
        place(place&& other) noexcept
            : owner_{std::exchange(other.owner_, nullptr)}, user_id_{other.user_id_} {}
        place& operator=(place&&) = delete;
        place(const place&) = delete;
        place& operator=(const place&) = delete;

      private:
        per_user_limit* owner_;
        std::int64_t user_id_;
    };

    explicit per_user_limit(int max_per_user) : max_{max_per_user} {}
    per_user_limit(const per_user_limit&) = delete;
    per_user_limit& operator=(const per_user_limit&) = delete;

    /// A place for one more, or nullopt when the user holds the maximum. Thread-safe.
    [[nodiscard]] std::optional<place> reserve(std::int64_t user_id) {
        const std::lock_guard lock{mutex_};
        auto& held = held_[user_id];
        if (held >= max_) {
            return std::nullopt;
        }
        ++held;
        return std::optional<place>{std::in_place, *this, user_id};
    }

  private:
    void give_back(std::int64_t user_id) {
        const std::lock_guard lock{mutex_};
        if (const auto found = held_.find(user_id); found != held_.end() && --found->second <= 0) {
            held_.erase(found);
        }
    }

    int max_;
    std::mutex mutex_;
    std::unordered_map<std::int64_t, int> held_;  // guarded by mutex_
};

}  // namespace poki
