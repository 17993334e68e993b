#include "poki/chat/chat_service.hpp"

#include "poki/chat/chat_json.hpp"
#include "poki/chat/chat_repository.hpp"
#include "poki/core/error.hpp"

namespace poki::chat {
namespace {

error no_such_room() {
    return error{errc::not_found, "No such chat room."};
}

/// One event per other active member of the room.
std::vector<notify::event_draft> to_others(pqxx::transaction_base& tx, const room& r,
                                           std::int64_t except, std::string_view type,
                                           const nlohmann::json& data) {
    std::vector<notify::event_draft> out;
    for (const auto member : chat_repository::active_members(tx, r)) {
        if (member != except) {
            out.push_back(notify::event_draft{member, std::string{type}, data, std::nullopt});
        }
    }
    return out;
}

/// The room exists, is the caller's family's, and the caller is one of its members.
bool may_enter(const std::optional<room>& found, const principal& who) {
    return found && found->family_id == who.family_id && found->admits(who.user_id);
}

}  // namespace

chat_service::chat_service(db::pool& database, db::read_pipeline& reads,
                           notify::event_service& events, message_writer& writer)
    : database_{database}, reads_{reads}, events_{events}, writer_{writer} {
    chat_repository::declare_statements(database_);
}

awaitable<room> chat_service::accessible_room(principal who, std::int64_t room_id) {
    auto find = [room_id](pqxx::connection& c) {
        pqxx::nontransaction tx{c};  // a plain read: no BEGIN or COMMIT round trip
        return chat_repository::find_room(tx, room_id);
    };
    const auto found = co_await database_.run(std::move(find));
    if (!may_enter(found, who)) {
        throw no_such_room();
    }
    co_return *found;
}

awaitable<page<room_summary>> chat_service::rooms(principal who, std::optional<std::int64_t> cursor,
                                                  int limit) {
    const std::int64_t offset = cursor.value_or(0);
    auto rows = co_await chat_repository::rooms_of(reads_, who.user_id, who.family_id, offset,
                                                   rows_for_page(limit));
    const std::int64_t next = offset + limit;
    co_return page_of(std::move(rows), limit, [next](const room_summary&) { return next; });
}

awaitable<room> chat_service::open_direct(principal who, std::int64_t member_id) {
    if (member_id == who.user_id) {
        throw error::validation("member_id", "direct_room_with_self",
                                "A direct room is with another member.");
    }
    auto open = [who, member_id](pqxx::work& tx, notify::event_log&) {
        if (!chat_repository::is_active_member(tx, who.family_id, member_id)) {
            throw error{errc::not_found, "No such member in your family."};
        }
        return chat_repository::direct_room(tx, who.family_id, who.user_id, member_id);
    };
    co_return co_await events_.write(std::move(open));
}

awaitable<send_outcome> chat_service::send(principal who, std::int64_t room_id,
                                           std::string client_id, std::string text) {
    send_request request{who, room_id, std::move(client_id), std::move(text), message_kind::text};
    auto outcome = co_await writer_.send(std::move(request));
    if (outcome.refused) {
        throw error{*outcome.refused};  // a copy: the outcome dies with this frame
    }
    co_return outcome;
}

awaitable<message_page> chat_service::history(principal who, std::int64_t room_id,
                                              std::optional<std::int64_t> before,
                                              std::optional<std::int64_t> after, int limit) {
    auto loaded =
        co_await chat_repository::page(reads_, who, room_id, before, after, rows_for_page(limit));
    if (!loaded) {
        throw no_such_room();
    }
    co_return page_of(std::move(*loaded), limit, [](const message& m) { return m.id; });
}

awaitable<std::int64_t> chat_service::mark_read(principal who, std::int64_t room_id,
                                                std::int64_t message_id) {
    const auto target = co_await accessible_room(who, room_id);
    auto mark = [who, target, message_id](pqxx::work& tx, notify::event_log& log) {
        const auto previous = chat_repository::read_mark(tx, target.id, who.user_id);
        const auto read_through =
            chat_repository::mark_read(tx, target.id, who.user_id, message_id);
        if (read_through > previous) {
            // Only a mark that moved is news to the others ("read" ticks in their app).
            log.record(to_others(
                tx, target, who.user_id, "chat.read",
                {{"room_id", target.id}, {"user_id", who.user_id}, {"message_id", read_through}}));
        }
        return read_through;
    };
    co_return co_await events_.write(std::move(mark));
}

awaitable<void> chat_service::remove_message(principal who, std::int64_t room_id,
                                             std::int64_t message_id) {
    const auto target = co_await accessible_room(who, room_id);
    auto remove = [who, target, message_id](pqxx::work& tx, notify::event_log& log) {
        const auto found = chat_repository::find_message(tx, target.id, message_id);
        if (!found) {
            throw error{errc::not_found, "No such message."};
        }
        if (found->author_id != who.user_id) {
            throw error{errc::forbidden, "not_author", "Only its author may delete a message."};
        }
        if (chat_repository::tombstone(tx, target.id, message_id)) {
            log.record(to_others(tx, target, who.user_id, "chat.deleted",
                                 {{"room_id", target.id}, {"message_id", message_id}}));
        }
    };
    co_await events_.write(std::move(remove));
}

}  // namespace poki::chat
