#include "poki/chat/chat_repository.hpp"

#include "poki/db/sql_text.hpp"
#include "poki/db/utc_time.hpp"

namespace poki::chat {
namespace {

using db::sql;

// The message columns every query returns, in to_message's order.
constexpr std::string_view message_columns =
    "m.room_id, m.id, m.author_id, u.display_name, m.client_id::text AS client_id, m.body,"
    " m.created_at AT TIME ZONE 'UTC' AS created_at, m.kind";

template <class Row>
message to_message(const Row& r, int at = 0) {
    message m;
    m.room_id = r[at].template as<std::int64_t>();
    m.id = r[at + 1].template as<std::int64_t>();
    m.author_id = r[at + 2].template as<std::int64_t>();
    m.author_name = r[at + 3].template as<std::string>();
    m.client_id = r[at + 4].template as<std::string>();
    if (!r[at + 5].is_null()) {
        m.text = r[at + 5].template as<std::string>();
    }
    m.created_at = db::utc_time(r[at + 6]);
    m.kind = r[at + 7].template as<std::string>() == "missed_call" ? message_kind::missed_call
                                                                   : message_kind::text;
    return m;
}

template <class Row>
room to_room(const Row& r) {
    room out;
    out.id = r[0].template as<std::int64_t>();
    out.family_id = r[1].template as<std::int64_t>();
    out.kind = r[2].template as<std::string>() == "direct" ? room_kind::direct : room_kind::family;
    if (!r[3].is_null()) {
        out.member_a = r[3].template as<std::int64_t>();
        out.member_b = r[4].template as<std::int64_t>();
    }
    return out;
}

}  // namespace

void chat_repository::declare_statements(db::pool& database) {
    database.declare("chat.read_mark",
                     "SELECT last_read_id FROM chat_reads WHERE room_id = $1 AND user_id = $2");
    database.declare(
        "chat.find_room",
        "SELECT id, family_id, kind, member_a, member_b FROM chat_rooms WHERE id = $1");
    database.declare("chat.make_direct",
                     "INSERT INTO chat_rooms (family_id, kind, member_a, member_b)"
                     " VALUES ($1, 'direct', $2, $3) ON CONFLICT DO NOTHING");
    database.declare("chat.find_direct",
                     "SELECT id, family_id, kind, member_a, member_b FROM chat_rooms"
                     " WHERE kind = 'direct' AND member_a = $1 AND member_b = $2");
    database.declare(
        "chat.family_members",
        "SELECT id FROM users WHERE family_id = $1 AND removed_at IS NULL ORDER BY id");
    database.declare(
        "chat.direct_members",
        "SELECT id FROM users WHERE id IN ($1, $2) AND removed_at IS NULL ORDER BY id");
    // The caller's unread count: others' messages after their read mark.
    const std::string unread =
        " (SELECT count(*) FROM chat_messages c WHERE c.room_id = r.id AND c.author_id <> $1"
        " AND c.deleted_at IS NULL AND c.id > COALESCE((SELECT last_read_id FROM chat_reads"
        " WHERE room_id = r.id AND user_id = $1), 0)),";
    const std::string last_message =
        " LEFT JOIN LATERAL (SELECT " + std::string{message_columns} +
        " FROM chat_messages m JOIN users u ON u.id = m.author_id"
        " WHERE m.room_id = r.id ORDER BY m.id DESC LIMIT 1) l ON true";
    database.declare(
        "chat.rooms_of",
        "SELECT r.id, r.family_id, r.kind, r.member_a, r.member_b,"
        " COALESCE(r.last_at, r.created_at) AT TIME ZONE 'UTC'," +
            unread +
            " l.room_id, l.id, l.author_id, l.display_name, l.client_id, l.body, l.created_at,"
            " l.kind"
            " FROM chat_rooms r" +
            last_message +
            " WHERE r.family_id = $2 AND (r.kind = 'family' OR r.member_a = $1 OR r.member_b = $1)"
            " ORDER BY COALESCE(r.last_at, r.created_at) DESC, r.id DESC OFFSET $3 LIMIT $4");
    database.declare("chat.by_client_id",
                     sql({"SELECT ", message_columns,
                          " FROM chat_messages m JOIN users u ON u.id = m.author_id"
                          " WHERE m.author_id = $1 AND m.client_id = $2::uuid"}));
    database.declare("chat.by_client_ids",
                     sql({"SELECT ", message_columns,
                          " FROM chat_messages m JOIN users u ON u.id = m.author_id"
                          " JOIN unnest($1::bigint[], $2::uuid[]) AS k(author, client)"
                          "   ON m.author_id = k.author AND m.client_id = k.client"}));
    database.declare("chat.rooms_by_id",
                     "SELECT id, family_id, kind, member_a, member_b FROM chat_rooms"
                     " WHERE id = ANY($1::bigint[])");
    database.declare("chat.member_name",
                     "SELECT display_name FROM users WHERE id = $1 AND family_id = $2"
                     " AND removed_at IS NULL");
    database.declare("chat.active_names",
                     "SELECT id, display_name FROM users WHERE id = ANY($1::bigint[])"
                     " AND removed_at IS NULL");
    database.declare(
        "chat.lock_rooms",
        "SELECT id FROM chat_rooms WHERE id = ANY($1::bigint[]) ORDER BY id FOR UPDATE");
    database.declare("chat.take_ids",
                     "UPDATE chat_rooms r SET last_id = r.last_id + c.n, last_at = now()"
                     " FROM unnest($1::bigint[], $2::bigint[]) AS c(id, n) WHERE r.id = c.id"
                     " RETURNING r.id, r.last_id");
    database.declare(
        "chat.insert_all",
        "INSERT INTO chat_messages (room_id, id, author_id, client_id, body, kind)"
        " SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::uuid[], $5::text[],"
        " $6::text[])"
        " ON CONFLICT (author_id, client_id) DO NOTHING RETURNING room_id, id,"
        " created_at AT TIME ZONE 'UTC'");
    database.declare("chat.members_of_families",
                     "SELECT family_id, id FROM users WHERE family_id = ANY($1::bigint[])"
                     " AND removed_at IS NULL ORDER BY family_id, id");
    // The history reads check the room in the statement (db::scoped_page): $1 the room,
    // $2 the reader's family, $3 the reader.
    constexpr std::string_view reader_may_enter =
        "EXISTS (SELECT 1 FROM chat_rooms r WHERE r.id = $1 AND r.family_id = $2"
        " AND (r.kind = 'family' OR $3::bigint IN (r.member_a, r.member_b)))";
    database.declare(
        "chat.before",
        db::scoped_page(reader_may_enter,
                        sql({"SELECT ", message_columns,
                             " FROM chat_messages m JOIN users u ON u.id = m.author_id"
                             " WHERE m.room_id = $1 AND m.id < $4 ORDER BY m.id DESC LIMIT $5"})));
    database.declare(
        "chat.after",
        db::scoped_page(reader_may_enter,
                        sql({"SELECT ", message_columns,
                             " FROM chat_messages m JOIN users u ON u.id = m.author_id"
                             " WHERE m.room_id = $1 AND m.id > $4 ORDER BY m.id LIMIT $5"})));
    database.declare("chat.find_message",
                     sql({"SELECT ", message_columns,
                          " FROM chat_messages m JOIN users u ON u.id = m.author_id"
                          " WHERE m.room_id = $1 AND m.id = $2"}));
    database.declare("chat.tombstone",
                     "UPDATE chat_messages SET body = NULL, deleted_at = now()"
                     " WHERE room_id = $1 AND id = $2 AND deleted_at IS NULL");
    database.declare(
        "chat.mark_read",
        "INSERT INTO chat_reads (room_id, user_id, last_read_id)"
        " SELECT $1, $2, LEAST($3, last_id) FROM chat_rooms WHERE id = $1"
        " ON CONFLICT (room_id, user_id) DO UPDATE"
        "   SET last_read_id = GREATEST(chat_reads.last_read_id, EXCLUDED.last_read_id)"
        " RETURNING last_read_id");
}

std::optional<room> chat_repository::find_room(pqxx::transaction_base& tx, std::int64_t room_id) {
    const auto rows = tx.exec_prepared("chat.find_room", room_id);
    if (rows.empty()) {
        return std::nullopt;
    }
    return to_room(rows[0]);
}

room chat_repository::direct_room(pqxx::transaction_base& tx, std::int64_t family_id,
                                  std::int64_t a, std::int64_t b) {
    const auto low = std::min(a, b);
    const auto high = std::max(a, b);
    tx.exec_prepared("chat.make_direct", family_id, low, high);
    return to_room(tx.exec_prepared1("chat.find_direct", low, high));
}

std::vector<std::int64_t> chat_repository::active_members(pqxx::transaction_base& tx,
                                                          const room& r) {
    const auto rows = r.kind == room_kind::family
                          ? tx.exec_prepared("chat.family_members", r.family_id)
                          : tx.exec_prepared("chat.direct_members", *r.member_a, *r.member_b);
    std::vector<std::int64_t> out;
    out.reserve(rows.size());
    for (const auto& row : rows) {
        out.push_back(row[0].as<std::int64_t>());
    }
    return out;
}

awaitable<std::vector<room_summary>> chat_repository::rooms_of(db::read_pipeline& reads,
                                                               std::int64_t user_id,
                                                               std::int64_t family_id,
                                                               std::int64_t offset, int limit) {
    const auto rows =
        co_await reads.query("chat.rooms_of", db::params(user_id, family_id, offset, limit));
    co_return db::rows_of<room_summary>(rows, [](const auto& row) {
        room_summary s;
        s.info = to_room(row);
        s.last_at = db::utc_time(row[5]);
        s.unread = row[6].template as<std::int64_t>();
        if (!row[7].is_null()) {
            s.last = to_message(row, 7);
        }
        return s;
    });
}

std::optional<message> chat_repository::by_client_id(pqxx::transaction_base& tx,
                                                     std::int64_t author_id,
                                                     const std::string& client_id) {
    const auto rows = tx.exec_prepared("chat.by_client_id", author_id, client_id);
    if (rows.empty()) {
        return std::nullopt;
    }
    return to_message(rows[0]);
}

std::vector<message> chat_repository::by_client_ids(pqxx::transaction_base& tx,
                                                    std::span<const std::int64_t> authors,
                                                    std::span<const std::string> client_ids) {
    const auto rows =
        tx.exec_prepared("chat.by_client_ids", db::int_array(authors), db::text_array(client_ids));
    std::vector<message> out;
    out.reserve(rows.size());
    for (const auto& row : rows) {
        out.push_back(to_message(row));
    }
    return out;
}

std::map<std::int64_t, room> chat_repository::rooms_by_id(pqxx::transaction_base& tx,
                                                          std::span<const std::int64_t> ids) {
    std::map<std::int64_t, room> out;
    for (const auto& row : tx.exec_prepared("chat.rooms_by_id", db::int_array(ids))) {
        auto r = to_room(row);
        out.emplace(r.id, r);
    }
    return out;
}

bool chat_repository::is_active_member(pqxx::transaction_base& tx, std::int64_t family_id,
                                       std::int64_t member_id) {
    return !tx.exec_prepared("chat.member_name", member_id, family_id).empty();
}

std::map<std::int64_t, std::string> chat_repository::active_names(
    pqxx::transaction_base& tx, std::span<const std::int64_t> ids) {
    std::map<std::int64_t, std::string> out;
    for (const auto& row : tx.exec_prepared("chat.active_names", db::int_array(ids))) {
        out.emplace(row[0].as<std::int64_t>(), row[1].as<std::string>());
    }
    return out;
}

std::map<std::int64_t, std::int64_t> chat_repository::take_ids(
    pqxx::transaction_base& tx, std::span<const std::int64_t> rooms,
    std::span<const std::int64_t> counts) {
    const auto ids = db::int_array(rooms);
    // UPDATE … FROM takes row locks in no particular order; lock them in id order first.
    tx.exec_prepared("chat.lock_rooms", ids);
    std::map<std::int64_t, std::int64_t> out;
    for (const auto& row : tx.exec_prepared("chat.take_ids", ids, db::int_array(counts))) {
        out[row[0].as<std::int64_t>()] = row[1].as<std::int64_t>();
    }
    return out;
}

std::map<std::pair<std::int64_t, std::int64_t>, std::string> chat_repository::insert_all(
    pqxx::transaction_base& tx, std::span<const new_message> rows) {
    std::vector<std::int64_t> rooms;
    std::vector<std::int64_t> ids;
    std::vector<std::int64_t> authors;
    std::vector<std::string> client_ids;
    std::vector<std::string> texts;
    std::vector<std::string> kinds;
    for (const auto& r : rows) {
        kinds.emplace_back(to_string(r.kind));
        rooms.push_back(r.room_id);
        ids.push_back(r.id);
        authors.push_back(r.author_id);
        client_ids.push_back(r.client_id);
        texts.push_back(r.text);
    }
    std::map<std::pair<std::int64_t, std::int64_t>, std::string> out;
    for (const auto& row : tx.exec_prepared(
             "chat.insert_all", db::int_array(rooms), db::int_array(ids), db::int_array(authors),
             db::text_array(client_ids), db::text_array(texts), db::text_array(kinds))) {
        out[{row[0].as<std::int64_t>(), row[1].as<std::int64_t>()}] = db::utc_time(row[2]);
    }
    return out;
}

std::map<std::int64_t, std::vector<std::int64_t>> chat_repository::family_members(
    pqxx::transaction_base& tx, std::span<const std::int64_t> family_ids) {
    std::map<std::int64_t, std::vector<std::int64_t>> out;
    for (const auto& row :
         tx.exec_prepared("chat.members_of_families", db::int_array(family_ids))) {
        out[row[0].as<std::int64_t>()].push_back(row[1].as<std::int64_t>());
    }
    return out;
}

awaitable<std::optional<std::vector<message>>> chat_repository::page(
    db::read_pipeline& reads, const principal& reader, std::int64_t room_id,
    std::optional<std::int64_t> before, std::optional<std::int64_t> after, int limit) {
    const std::string_view statement = after ? "chat.after" : "chat.before";
    const auto from = after ? *after : before.value_or(std::numeric_limits<std::int64_t>::max());
    auto params = db::params(room_id, reader.family_id, reader.user_id, from, limit);
    const auto rows = co_await reads.query(statement, std::move(params));
    co_return db::scoped_rows<message>(rows, [](const auto& r) { return to_message(r); });
}

std::optional<message> chat_repository::find_message(pqxx::transaction_base& tx,
                                                     std::int64_t room_id, std::int64_t id) {
    const auto rows = tx.exec_prepared("chat.find_message", room_id, id);
    if (rows.empty()) {
        return std::nullopt;
    }
    return to_message(rows[0]);
}

bool chat_repository::tombstone(pqxx::transaction_base& tx, std::int64_t room_id, std::int64_t id) {
    return tx.exec_prepared("chat.tombstone", room_id, id).affected_rows() > 0;
}

std::int64_t chat_repository::read_mark(pqxx::transaction_base& tx, std::int64_t room_id,
                                        std::int64_t user_id) {
    const auto rows = tx.exec_prepared("chat.read_mark", room_id, user_id);
    return rows.empty() ? 0 : rows[0][0].as<std::int64_t>();
}

std::int64_t chat_repository::mark_read(pqxx::transaction_base& tx, std::int64_t room_id,
                                        std::int64_t user_id, std::int64_t id) {
    return tx.exec_prepared1("chat.mark_read", room_id, user_id, id)[0].as<std::int64_t>();
}

}  // namespace poki::chat
