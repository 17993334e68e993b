#include "poki/chat/message_writer.hpp"

#include <algorithm>
#include <map>

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

/// One transaction for the whole group: who may write where, retries found, ids taken, rows
/// and events written.
group_result commit_group(pqxx::connection& c, const std::vector<send_request>& requests,
                          notify::event_service& events) {
    pqxx::work tx{c};
    group_result result;
    result.outcomes.resize(requests.size());
    using key = std::pair<std::int64_t, std::string>;  // (author, client_id)

    // Who may write where: every room and author of the group in two statements.
    std::vector<std::int64_t> room_ids;
    std::vector<std::int64_t> author_ids;
    for (const auto& r : requests) {
        room_ids.push_back(r.room_id);
        author_ids.push_back(r.author.user_id);
    }
    const auto targets = chat_repository::rooms_by_id(tx, room_ids);
    const auto names = chat_repository::active_names(tx, author_ids);
    std::vector<room> target_of(requests.size());
    std::vector<std::string> name_of(requests.size());
    std::vector<bool> allowed(requests.size(), false);
    for (std::size_t i = 0; i < requests.size(); ++i) {
        const auto& r = requests[i];
        const auto t = targets.find(r.room_id);
        const auto n = names.find(r.author.user_id);
        if (n == names.end()) {
            result.outcomes[i].refused =
                error{errc::unauthorized, "This account no longer has access."};
        } else if (t == targets.end() || t->second.family_id != r.author.family_id ||
                   !t->second.admits(r.author.user_id)) {
            result.outcomes[i].refused = error{errc::not_found, "No such chat room."};
        } else {
            target_of[i] = t->second;
            name_of[i] = n->second;
            allowed[i] = true;
        }
    }

    // Retries of sends stored before.
    std::vector<std::int64_t> authors;
    std::vector<std::string> client_ids;
    for (std::size_t i = 0; i < requests.size(); ++i) {
        if (allowed[i]) {
            authors.push_back(requests[i].author.user_id);
            client_ids.push_back(requests[i].client_id);
        }
    }
    std::map<key, message> earlier;
    for (auto& m : chat_repository::by_client_ids(tx, authors, client_ids)) {
        auto k = key{m.author_id, m.client_id};
        earlier.emplace(std::move(k), std::move(m));
    }
    // New sends; a client_id sent twice within the group is stored once.
    std::map<key, std::size_t> first_of;
    std::vector<std::size_t> fresh;
    std::vector<std::size_t> repeats;
    for (std::size_t i = 0; i < requests.size(); ++i) {
        const auto& r = requests[i];
        if (!allowed[i]) {
            continue;
        }
        if (const auto found = earlier.find({r.author.user_id, r.client_id});
            found != earlier.end()) {
            result.outcomes[i] = {found->second, false, std::nullopt};
        } else if (first_of.try_emplace({r.author.user_id, r.client_id}, i).second) {
            fresh.push_back(i);
        } else {
            repeats.push_back(i);
        }
    }
    // Ids within each room in arrival order; rooms locked in ascending id, then event
    // counters in ascending user id (inside record): every group takes its locks in the
    // same order, so two never deadlock.
    std::map<std::int64_t, std::int64_t> per_room;
    for (const auto i : fresh) {
        ++per_room[requests[i].room_id];
    }
    std::vector<std::int64_t> rooms;
    std::vector<std::int64_t> counts;
    for (const auto& [room_id, count] : per_room) {
        rooms.push_back(room_id);
        counts.push_back(count);
    }
    std::map<std::int64_t, std::int64_t> next_id;
    if (!rooms.empty()) {
        for (const auto& [room_id, last] : chat_repository::take_ids(tx, rooms, counts)) {
            next_id[room_id] = last - per_room[room_id] + 1;
        }
    }
    std::vector<chat_repository::new_message> rows;
    rows.reserve(fresh.size());
    std::vector<std::int64_t> families;
    for (const auto i : fresh) {
        const auto& r = requests[i];
        rows.push_back({r.room_id, next_id[r.room_id]++, r.author.user_id, r.client_id, r.text});
        if (target_of[i].kind == room_kind::family) {
            families.push_back(target_of[i].family_id);
        }
    }
    const auto stored = chat_repository::insert_all(tx, rows);
    auto members = chat_repository::family_members(tx, families);
    std::map<std::int64_t, std::vector<std::int64_t>> direct_members;

    std::vector<notify::event_draft> drafts;
    for (std::size_t k = 0; k < fresh.size(); ++k) {
        const auto i = fresh[k];
        const auto& r = requests[i];
        const auto& target = target_of[i];
        const auto author_id = r.author.user_id;
        const auto& author_name = name_of[i];
        const auto found = stored.find({rows[k].room_id, rows[k].id});
        if (found == stored.end()) {
            // Another instance stored this client_id meanwhile; the id taken stays unused.
            result.outcomes[i] = {*chat_repository::by_client_id(tx, author_id, r.client_id), false,
                                  std::nullopt};
            continue;
        }
        message m{target.id,   rows[k].id, author_id,    author_name,
                  r.client_id, r.text,     found->second};
        const std::vector<std::int64_t>* recipients = nullptr;
        if (target.kind == room_kind::family) {
            recipients = &members[target.family_id];
        } else {
            auto [slot, made] = direct_members.try_emplace(target.id);
            if (made) {
                slot->second = chat_repository::active_members(tx, target);
            }
            recipients = &slot->second;
        }
        const nlohmann::json data{{"room_id", target.id}, {"message", message_json(m)}};
        for (const auto member : *recipients) {
            if (member != author_id) {
                drafts.push_back(notify::event_draft{
                    member, "chat.message", data,
                    notify::push_text{author_name, preview(r.text, push_preview_chars)}});
            }
        }
        result.outcomes[i] = {std::move(m), true, std::nullopt};
    }
    for (const auto i : repeats) {
        result.outcomes[i] =
            result.outcomes[first_of[{requests[i].author.user_id, requests[i].client_id}]];
        result.outcomes[i].created = false;
    }
    result.events = events.record(tx, std::move(drafts));
    tx.commit();
    return result;
}

/// A group that failed for one item's sake is worth committing again item by item; one that
/// failed because the database is down, busy or silent is not (each retry would wait as long).
bool may_be_one_items_fault(const std::exception_ptr& failure) {
    try {
        std::rethrow_exception(failure);
    } catch (const error& e) {
        return e.code() != errc::unavailable;
    } catch (...) {
        return true;
    }
}

struct attempt {
    std::exception_ptr failure;
    group_result result;
};

awaitable<attempt> commit_and_publish(db::pool& database, notify::event_service& events,
                                      std::vector<send_request> requests) {
    auto commit = [&events, requests = std::move(requests)](pqxx::connection& c) {
        return commit_group(c, requests, events);
    };
    attempt a;
    try {
        a.result = co_await database.run(std::move(commit));
    } catch (...) {
        a.failure = std::current_exception();
    }
    if (!a.failure) {
        co_await events.publish(std::move(a.result.events));
    }
    co_return a;
}

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
    auto whole = co_await commit_and_publish(database_, events_, std::move(requests));
    if (whole.failure && group.size() > 1 && may_be_one_items_fault(whole.failure)) {
        // One send's failure must not fail the others, of this family or another: each goes
        // again in a transaction of its own, and only what fails alone is answered with it.
        split_groups_.fetch_add(1, std::memory_order_relaxed);
        for (auto& p : group) {
            // Built outside the co_await: g++ 12 miscompiles initializer lists inside one.
            std::vector<send_request> single(1, p.request);
            auto alone = co_await commit_and_publish(database_, events_, std::move(single));
            p.done(alone.failure,
                   alone.failure ? send_outcome{} : std::move(alone.result.outcomes.front()));
        }
    } else {
        for (std::size_t i = 0; i < group.size(); ++i) {
            group[i].done(whole.failure,
                          whole.failure ? send_outcome{} : std::move(whole.result.outcomes[i]));
        }
    }
    if (!whole.failure) {
        groups_.fetch_add(1, std::memory_order_relaxed);
        messages_.fetch_add(group.size(), std::memory_order_relaxed);
        auto largest = largest_group_.load(std::memory_order_relaxed);
        while (group.size() > largest &&
               !largest_group_.compare_exchange_weak(largest, group.size())) {
        }
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
    append_metric_header(out, "poki_chat_split_groups_total", "counter",
                         "Groups that failed and were committed again send by send.");
    append_metric(out, "poki_chat_split_groups_total", "",
                  static_cast<double>(split_groups_.load()));
    append_metric_header(out, "poki_chat_largest_commit_group", "gauge",
                         "The most sends one transaction has committed.");
    append_metric(out, "poki_chat_largest_commit_group", "",
                  static_cast<double>(largest_group_.load()));
}

}  // namespace poki::chat
