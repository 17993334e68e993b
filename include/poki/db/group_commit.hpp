// Writes that commit in groups: while one group's transaction is committing, the writes that
// arrive queue up and go together in the next one. Each write is still answered only after
// its own group commits (synchronous_commit stays on); the group shares the transaction's
// round trips and its fsync, which is what bounds one transaction per write on a small
// machine. Writes go in lanes by a key the caller picks so that two lanes never touch the
// same rows (features use the family: nothing of one family is locked by another's write);
// each lane has one group in flight, so groups never wait on each other's locks, and the
// lanes commit side by side on their own connections.
// A group that fails is committed again in halves until the failing write is alone, and only
// that write is answered with its failure: one bad request never fails another.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <utility>
#include <vector>

#include <boost/asio/async_result.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "poki/core/error.hpp"
#include "poki/core/net.hpp"
#include "poki/core/unique_function.hpp"

namespace poki::db {

struct group_commit_stats {
    std::uint64_t groups = 0;   ///< transactions that committed
    std::uint64_t items = 0;    ///< writes those transactions committed
    std::uint64_t splits = 0;   ///< groups that failed and went again in halves
    std::uint64_t largest = 0;  ///< the most writes one transaction committed
};

/// A group that failed for one write's sake is worth committing again write by write; one
/// that failed because the database is down, busy or silent is not (each would wait as long).
[[nodiscard]] bool may_be_one_writes_fault(const std::exception_ptr& failure);

template <class Item, class Outcome>
class group_commit {
  public:
    /// Commits the items in one transaction and answers one outcome per item, in order;
    /// throws when the group did not commit.
    using commit_fn = std::function<awaitable<std::vector<Outcome>>(std::vector<Item>)>;

    group_commit(net::io_context& ioc, std::size_t max_group, std::size_t lanes, commit_fn commit)
        : ioc_{ioc}, max_group_{std::max<std::size_t>(max_group, 1)}, commit_{std::move(commit)} {
        for (std::size_t i = 0; i < std::max<std::size_t>(lanes, 1); ++i) {
            lanes_.push_back(std::make_unique<lane>());
        }
    }

    /// Completes on the caller's executor once the item's group committed (or it failed
    /// alone). Items with the same `lane_key` commit in the order they were submitted.
    awaitable<Outcome> submit(Item item, std::uint64_t lane_key);

    [[nodiscard]] group_commit_stats stats() const {
        return {groups_.load(), items_.load(), splits_.load(), largest_.load()};
    }

  private:
    using completion = unique_function<void(std::exception_ptr, Outcome)>;
    struct pending {
        Item item;
        completion done;
    };
    struct attempt {
        std::exception_ptr failure;
        std::vector<Outcome> outcomes;
    };
    struct lane {
        std::mutex mutex;
        std::vector<pending> queue;  // guarded by mutex
        bool writing = false;        // guarded by mutex
    };

    void enqueue(lane& l, pending p);
    void start_next_locked(lane& l);  ///< l.mutex held, l.writing set
    awaitable<attempt> try_commit(std::vector<Item> items);
    awaitable<void> write_group(lane& l, std::vector<pending> group);
    /// Commits `part` as one group, or in halves when it fails for one write's sake.
    awaitable<void> settle(std::span<pending> part);
    void count(std::size_t size);

    net::io_context& ioc_;
    std::size_t max_group_;
    commit_fn commit_;
    std::vector<std::unique_ptr<lane>> lanes_;
    std::atomic<std::uint64_t> groups_{0};
    std::atomic<std::uint64_t> items_{0};
    std::atomic<std::uint64_t> splits_{0};
    std::atomic<std::uint64_t> largest_{0};
};

template <class Item, class Outcome>
awaitable<Outcome> group_commit<Item, Outcome>::submit(Item item, std::uint64_t lane_key) {
    auto& l = *lanes_[lane_key % lanes_.size()];
    return net::async_initiate<const net::use_awaitable_t<>&, void(std::exception_ptr, Outcome)>(
        [this, &l](auto handler, Item i) {
            // Completes on the writer's own executor, whichever thread finished the group.
            completion done = [h = std::move(handler)](std::exception_ptr e, Outcome o) mutable {
                auto ex = net::get_associated_executor(h);
                net::post(ex, [h = std::move(h), e = std::move(e), o = std::move(o)]() mutable {
                    std::move(h)(std::move(e), std::move(o));
                });
            };
            enqueue(l, pending{std::move(i), std::move(done)});
        },
        net::use_awaitable, std::move(item));
}

template <class Item, class Outcome>
void group_commit<Item, Outcome>::enqueue(lane& l, pending p) {
    const std::lock_guard lock{l.mutex};
    l.queue.push_back(std::move(p));
    if (!l.writing) {
        l.writing = true;
        start_next_locked(l);
    }
}

template <class Item, class Outcome>
void group_commit<Item, Outcome>::start_next_locked(lane& l) {
    const auto take = static_cast<std::ptrdiff_t>(std::min(l.queue.size(), max_group_));
    std::vector<pending> group;
    group.reserve(static_cast<std::size_t>(take));
    std::move(l.queue.begin(), l.queue.begin() + take, std::back_inserter(group));
    l.queue.erase(l.queue.begin(), l.queue.begin() + take);
    net::co_spawn(ioc_, write_group(l, std::move(group)), net::detached);
}

template <class Item, class Outcome>
awaitable<typename group_commit<Item, Outcome>::attempt> group_commit<Item, Outcome>::try_commit(
    std::vector<Item> items) {
    const auto size = items.size();
    attempt a;
    try {
        a.outcomes = co_await commit_(std::move(items));
        if (a.outcomes.size() != size) {
            throw error{errc::internal, "A commit group answered the wrong number of writes."};
        }
        count(size);
    } catch (...) {
        a.failure = std::current_exception();
    }
    co_return a;
}

template <class Item, class Outcome>
awaitable<void> group_commit<Item, Outcome>::write_group(lane& l, std::vector<pending> group) {
    co_await settle(std::span<pending>{group});
    const std::lock_guard lock{l.mutex};
    if (l.queue.empty()) {
        l.writing = false;
    } else {
        start_next_locked(l);
    }
}

template <class Item, class Outcome>
awaitable<void> group_commit<Item, Outcome>::settle(std::span<pending> part) {
    std::vector<Item> items;
    items.reserve(part.size());
    for (const auto& p : part) {
        items.push_back(p.item);
    }
    auto tried = co_await try_commit(std::move(items));
    if (!tried.failure) {
        for (std::size_t i = 0; i < part.size(); ++i) {
            part[i].done(nullptr, std::move(tried.outcomes[i]));
        }
        co_return;
    }
    if (part.size() == 1 || !may_be_one_writes_fault(tried.failure)) {
        for (auto& p : part) {
            p.done(tried.failure, Outcome{});
        }
        co_return;
    }
    // Halves until the write that fails is alone: the rest still commit in groups, and a
    // group with one bad write costs about 2·log2(n) more transactions, not n.
    splits_.fetch_add(1, std::memory_order_relaxed);
    const auto half = part.size() / 2;
    co_await settle(part.first(half));
    co_await settle(part.subspan(half));
}

template <class Item, class Outcome>
void group_commit<Item, Outcome>::count(std::size_t size) {
    groups_.fetch_add(1, std::memory_order_relaxed);
    items_.fetch_add(size, std::memory_order_relaxed);
    auto largest = largest_.load(std::memory_order_relaxed);
    while (size > largest && !largest_.compare_exchange_weak(largest, size)) {
    }
}

}  // namespace poki::db
