#include "poki/chat/message_writer.hpp"

#include <algorithm>
#include <map>
#include <numeric>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "poki/chat/chat_json.hpp"
#include "poki/chat/chat_repository.hpp"
#include "poki/core/log.hpp"
#include "poki/core/metrics.hpp"

namespace poki::chat {
namespace {

constexpr std::size_t push_preview_chars = 100;

struct group_result {
    std::vector<send_outcome> outcomes;  // in the order of the requests
    std::vector<notify::stored_event> events;
};

}  // namespace

message_writer::message_writer(net::io_context& ioc, db::pool& database,
                               notify::event_service& events, const chat_config& cfg)
    : ioc_{ioc}, database_{database}, events_{events}, config_{cfg} {
    chat_repository::declare_statements(database_);
}

awaitable<send_outcome> message_writer::send(send_request request) {
    return net::async_initiate<const net::use_awaitable_t<>&,
                               void(std::exception_ptr, send_outcome)>(
        [this](auto handler, send_request r) {
            // Complete on the sender's own executor, whichever thread finishes the group.
            completion done = [h = std::move(handler)](std::exception_ptr e,
                                                       send_outcome o) mutable {
                auto ex = net::get_associated_executor(h);
                net::post(ex, [h = std::move(h), e = std::move(e), o = std::move(o)]() mutable {
                    std::move(h)(std::move(e), std::move(o));
                });
            };
            enqueue(pending{std::move(r), std::move(done)});
        },
        net::use_awaitable, std::move(request));
}

void message_writer::enqueue(pending p) {
    const std::lock_guard lock{mutex_};
    queue_.push_back(std::move(p));
    if (!writing_) {
        writing_ = true;
        start_next_locked();
    }
}

void message_writer::start_next_locked() {
    const auto take = std::min(queue_.size(), static_cast<std::size_t>(config_.max_batch));
    std::vector<pending> group;
    group.reserve(take);
    std::move(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(take),
              std::back_inserter(group));
    queue_.erase(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(take));
    net::co_spawn(ioc_, write_group(std::move(group)), net::detached);
}

awaitable<void> message_writer::write_group(std::vector<pending> group) {
    std::vector<send_request> requests;
    requests.reserve(group.size());
    for (const auto& p : group) {
        requests.push_back(p.request);
    }
    auto commit = [this, requests = std::move(requests)](pqxx::connection& c) {
        pqxx::work tx{c};
        group_result result;
        result.outcomes.resize(requests.size());
        // Rooms are locked in ascending id, then event counters in ascending user id (inside
        // record): every group takes its locks in the same order, so two never deadlock.
        std::vector<std::size_t> order(requests.size());
        std::iota(order.begin(), order.end(), std::size_t{0});
        std::stable_sort(order.begin(), order.end(), [&requests](std::size_t a, std::size_t b) {
            return requests[a].target.id < requests[b].target.id;
        });
        std::map<std::int64_t, std::vector<std::int64_t>> members;
        std::vector<notify::event_draft> drafts;
        for (const auto i : order) {
            const auto& r = requests[i];
            if (auto earlier = chat_repository::by_client_id(tx, r.author_id, r.client_id)) {
                result.outcomes[i] = {std::move(*earlier), false};
                continue;
            }
            const auto id = chat_repository::take_id(tx, r.target.id);
            auto stored = chat_repository::insert(tx, r.target.id, id, r.author_id, r.author_name,
                                                  r.client_id, r.text);
            if (!stored) {
                // Another instance stored this client_id meanwhile (its commit ended our
                // wait on the unique index); the id just taken stays unused.
                result.outcomes[i] = {*chat_repository::by_client_id(tx, r.author_id, r.client_id),
                                      false};
                continue;
            }
            auto [found, fresh] = members.try_emplace(r.target.id);
            if (fresh) {
                found->second = chat_repository::active_members(tx, r.target);
            }
            const nlohmann::json data{{"room_id", r.target.id}, {"message", message_json(*stored)}};
            for (const auto member : found->second) {
                if (member != r.author_id) {
                    drafts.push_back(notify::event_draft{
                        member, "chat.message", data,
                        notify::push_text{r.author_name, preview(r.text, push_preview_chars)}});
                }
            }
            result.outcomes[i] = {std::move(*stored), true};
        }
        result.events = events_.record(tx, std::move(drafts));
        tx.commit();
        return result;
    };

    std::exception_ptr failure;
    group_result result;
    try {
        result = co_await database_.run(std::move(commit));
    } catch (...) {
        failure = std::current_exception();
    }
    if (!failure) {
        co_await events_.publish(std::move(result.events));
        groups_.fetch_add(1, std::memory_order_relaxed);
        messages_.fetch_add(group.size(), std::memory_order_relaxed);
        auto largest = largest_group_.load(std::memory_order_relaxed);
        while (group.size() > largest &&
               !largest_group_.compare_exchange_weak(largest, group.size())) {
        }
    }
    for (std::size_t i = 0; i < group.size(); ++i) {
        group[i].done(failure, failure ? send_outcome{} : std::move(result.outcomes[i]));
    }
    const std::lock_guard lock{mutex_};
    if (queue_.empty()) {
        writing_ = false;
    } else {
        start_next_locked();
    }
}

void message_writer::render_metrics(std::string& out) const {
    append_metric_header(out, "poki_chat_commit_groups_total", "counter",
                         "Transactions that committed chat sends together.");
    append_metric(out, "poki_chat_commit_groups_total", "", static_cast<double>(groups_.load()));
    append_metric_header(out, "poki_chat_messages_written_total", "counter",
                         "Chat sends committed (new messages and retries).");
    append_metric(out, "poki_chat_messages_written_total", "",
                  static_cast<double>(messages_.load()));
    append_metric_header(out, "poki_chat_largest_commit_group", "gauge",
                         "The most sends one transaction has committed.");
    append_metric(out, "poki_chat_largest_commit_group", "",
                  static_cast<double>(largest_group_.load()));
}

}  // namespace poki::chat
