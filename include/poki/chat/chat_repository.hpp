// SQL for chat: rooms, numbered messages, read marks.
#pragma once

#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <pqxx/pqxx>

#include "poki/chat/chat_types.hpp"
#include "poki/core/principal.hpp"
#include "poki/db/pool.hpp"
#include "poki/db/read_pipeline.hpp"

namespace poki::chat {

class chat_repository {
  public:
    static void declare_statements(db::pool& database);

    static std::optional<room> find_room(pqxx::transaction_base& tx, std::int64_t room_id);
    /// The direct room of two members (a != b), made if it does not exist yet.
    static room direct_room(pqxx::transaction_base& tx, std::int64_t family_id, std::int64_t a,
                            std::int64_t b);
    /// Members of the room who are still in the family (ascending id).
    static std::vector<std::int64_t> active_members(pqxx::transaction_base& tx, const room& r);
    /// The user's rooms, most recent first, with the last message and their unread count;
    /// `limit` of them from position `offset`.
    static awaitable<std::vector<room_summary>> rooms_of(db::read_pipeline& reads,
                                                         std::int64_t user_id,
                                                         std::int64_t family_id,
                                                         std::int64_t offset, int limit);

    static std::optional<message> by_client_id(pqxx::transaction_base& tx, std::int64_t author_id,
                                               const std::string& client_id);

    // Group commits: one statement each for a whole group of sends.

    /// The rooms among `ids` that exist, by id.
    static std::map<std::int64_t, room> rooms_by_id(pqxx::transaction_base& tx,
                                                    std::span<const std::int64_t> ids);
    /// Whether `member_id` is an active member of the family.
    static bool is_active_member(pqxx::transaction_base& tx, std::int64_t family_id,
                                 std::int64_t member_id);
    /// Display names of the users among `ids` still in their family, by id.
    static std::map<std::int64_t, std::string> active_names(pqxx::transaction_base& tx,
                                                            std::span<const std::int64_t> ids);
    /// Messages already stored for any of these (author, client_id) pairs.
    static std::vector<message> by_client_ids(pqxx::transaction_base& tx,
                                              std::span<const std::int64_t> authors,
                                              std::span<const std::string> client_ids);
    /// Takes `counts[i]` ids in room `rooms[i]` (rooms ascending: they are locked in that
    /// order); returns each room's last id after the update.
    static std::map<std::int64_t, std::int64_t> take_ids(pqxx::transaction_base& tx,
                                                         std::span<const std::int64_t> rooms,
                                                         std::span<const std::int64_t> counts);
    struct new_message {
        std::int64_t room_id = 0;
        std::int64_t id = 0;
        std::int64_t author_id = 0;
        std::string client_id;
        std::string text;
        message_kind kind = message_kind::text;
    };
    /// Inserts all; returns the created_at of each one stored, by (room, id). Rows whose
    /// (author, client_id) exists already are skipped.
    static std::map<std::pair<std::int64_t, std::int64_t>, std::string> insert_all(
        pqxx::transaction_base& tx, std::span<const new_message> rows);
    /// Active members of several families, ascending id within each.
    static std::map<std::int64_t, std::vector<std::int64_t>> family_members(
        pqxx::transaction_base& tx, std::span<const std::int64_t> family_ids);

    /// Newest first before `before` (exclusive), or oldest first after `after`, of a room
    /// `reader` may enter (their family's room, or a direct room they are in); nullopt when
    /// there is no such room for them. One statement.
    static awaitable<std::optional<std::vector<message>>> page(
        db::read_pipeline& reads, const principal& reader, std::int64_t room_id,
        std::optional<std::int64_t> before, std::optional<std::int64_t> after, int limit);
    static std::optional<message> find_message(pqxx::transaction_base& tx, std::int64_t room_id,
                                               std::int64_t id);
    /// Turns the message into a tombstone; false when it already is one.
    static bool tombstone(pqxx::transaction_base& tx, std::int64_t room_id, std::int64_t id);

    /// Moves the user's read mark forward to `id` (capped at the room's last message).
    /// The last message the member has read in the room; 0 before any.
    static std::int64_t read_mark(pqxx::transaction_base& tx, std::int64_t room_id,
                                  std::int64_t user_id);
    static std::int64_t mark_read(pqxx::transaction_base& tx, std::int64_t room_id,
                                  std::int64_t user_id, std::int64_t id);
};

}  // namespace poki::chat
