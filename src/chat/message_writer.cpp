#include "poki/chat/message_writer.hpp"

#include <algorithm>
#include <map>

#include "poki/chat/chat_json.hpp"
#include "poki/chat/chat_repository.hpp"
#include "poki/core/log.hpp"
#include "poki/core/metrics.hpp"

namespace poki::chat {
namespace {

constexpr std::size_t push_preview_chars = 100;

/// One transaction for the whole group: who may write where, retries found, ids taken, rows
/// and events written.
/// Answers one outcome per request, in their order.
std::vector<send_outcome> commit_group(pqxx::work& tx, const std::vector<send_request>& requests,
                                       notify::event_log& log) {
    std::vector<send_outcome> outcomes(requests.size());
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
            outcomes[i].refused = error{errc::unauthorized, "This account no longer has access."};
        } else if (t == targets.end() || t->second.family_id != r.author.family_id ||
                   !t->second.admits(r.author.user_id)) {
            outcomes[i].refused = error{errc::not_found, "No such chat room."};
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
            outcomes[i] = {found->second, false, std::nullopt};
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
        rows.push_back(
            {r.room_id, next_id[r.room_id]++, r.author.user_id, r.client_id, r.text, r.kind});
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
            outcomes[i] = {*chat_repository::by_client_id(tx, author_id, r.client_id), false,
                           std::nullopt};
            continue;
        }
        message m{target.id,   rows[k].id, author_id,     author_name,
                  r.client_id, r.text,     found->second, r.kind};
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
                // A missed call's own event (call.missed) is the one pushed.
                auto push = r.kind == message_kind::text
                                ? std::optional<notify::push_text>{notify::push_text{
                                      author_name, preview(r.text, push_preview_chars)}}
                                : std::nullopt;
                drafts.push_back(
                    notify::event_draft{member, "chat.message", data, std::move(push)});
            }
        }
        outcomes[i] = {std::move(m), true, std::nullopt};
    }
    for (const auto i : repeats) {
        outcomes[i] = outcomes[first_of[{requests[i].author.user_id, requests[i].client_id}]];
        outcomes[i].created = false;
    }
    log.record(std::move(drafts));
    return outcomes;
}

}  // namespace

message_writer::message_writer(net::io_context& ioc, db::pool& database,
                               notify::event_service& events, const chat_config& cfg)
    : database_{database}
    , events_{events}
    , groups_{ioc, static_cast<std::size_t>(cfg.max_batch),
              static_cast<std::size_t>(cfg.commit_lanes),
              [this](std::vector<send_request> group) { return commit(std::move(group)); }} {
    chat_repository::declare_statements(database_);
}

awaitable<send_outcome> message_writer::send(send_request request) {
    // A family's sends share a lane: its rooms' ids are taken in commit order.
    const auto lane = static_cast<std::uint64_t>(request.author.family_id);
    return groups_.submit(std::move(request), lane);
}

awaitable<std::vector<send_outcome>> message_writer::commit(std::vector<send_request> group) {
    auto write = [group = std::move(group)](pqxx::work& tx, notify::event_log& log) {
        return commit_group(tx, group, log);
    };
    co_return co_await events_.write(std::move(write));
}

void message_writer::render_metrics(std::string& out) const {
    append_metric_header(out, "poki_chat_commit_groups_total", "counter",
                         "Transactions that committed chat sends together.");
    const auto stats = groups_.stats();
    append_metric(out, "poki_chat_commit_groups_total", "", static_cast<double>(stats.groups));
    append_metric_header(out, "poki_chat_messages_written_total", "counter",
                         "Chat sends committed (new messages and retries).");
    append_metric(out, "poki_chat_messages_written_total", "", static_cast<double>(stats.items));
    append_metric_header(out, "poki_chat_split_groups_total", "counter",
                         "Groups that failed and were committed again in halves.");
    append_metric(out, "poki_chat_split_groups_total", "", static_cast<double>(stats.splits));
    append_metric_header(out, "poki_chat_largest_commit_group", "gauge",
                         "The most sends one transaction has committed.");
    append_metric(out, "poki_chat_largest_commit_group", "", static_cast<double>(stats.largest));
}

}  // namespace poki::chat
