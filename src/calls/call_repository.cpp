#include "poki/calls/call_repository.hpp"

#include <map>

#include "poki/db/nullable.hpp"
#include "poki/db/sql_text.hpp"
#include "poki/db/utc_time.hpp"

namespace poki::calls {
namespace {

std::string call_columns() {
    return db::sql({"c.id::text, c.seq, c.family_id, c.caller_id, c.media, c.state,",
                    " c.end_reason, c.version, c.ring_until IS NOT NULL, ", db::utc("c.created_at"),
                    ", ", db::utc("c.answered_at"), ", ", db::utc("c.ended_at")});
}

constexpr const char* party_columns =
    "p.call_id::text, p.user_id, p.state, p.connection_id, p.instance_id, p.lost_at IS NOT NULL";

call_record call_of(const pqxx::row& row) {
    call_record c;
    c.id = row[0].as<std::string>();
    c.seq = row[1].as<std::int64_t>();
    c.family_id = row[2].as<std::int64_t>();
    c.caller_id = row[3].as<std::int64_t>();
    c.media = parse_media(row[4].as<std::string>()).value_or(call_media::video);
    c.state = parse_call_state(row[5].as<std::string>()).value_or(call_state::ended);
    if (!row[6].is_null()) {
        c.reason = parse_end_reason(row[6].as<std::string>());
    }
    c.version = row[7].as<std::int64_t>();
    c.ringing_deadline = row[8].as<bool>();
    c.created_at = db::utc_time(row[9]);
    c.answered_at = db::nullable_utc_time(row[10]);
    c.ended_at = db::nullable_utc_time(row[11]);
    return c;
}

call_party party_of(const pqxx::row& row) {
    call_party p;
    p.user_id = row[1].as<std::int64_t>();
    p.state = parse_party_state(row[2].as<std::string>()).value_or(party_state::left);
    if (!row[3].is_null()) {
        p.in_call =
            device{row[3].as<std::string>(), row[4].is_null() ? "" : row[4].as<std::string>()};
    }
    p.lost = row[5].as<bool>();
    return p;
}

/// The parties as parallel arrays, for statements over unnest().
struct party_arrays {
    std::vector<std::int64_t> users;
    std::vector<std::string> states;
    std::vector<std::string> connections;
    std::vector<std::string> instances;
    std::vector<std::string> lost;
};

party_arrays arrays_of(const call_record& call) {
    party_arrays a;
    const auto n = call.parties.size();
    a.users.reserve(n);
    a.states.reserve(n);
    a.connections.reserve(n);
    a.instances.reserve(n);
    a.lost.reserve(n);
    for (const auto& p : call.parties) {
        a.users.push_back(p.user_id);
        a.states.emplace_back(to_string(p.state));
        a.connections.push_back(p.in_call ? p.in_call->connection_id : "");
        a.instances.push_back(p.in_call ? p.in_call->instance_id : "");
        a.lost.emplace_back(p.lost ? "true" : "false");
    }
    return a;
}

/// Parties in the order calls keep them: the caller first, then by user id.
void add_parties(std::vector<call_record>& calls, const pqxx::result& rows) {
    std::map<std::string, call_record*> by_id;
    for (auto& c : calls) {
        by_id[c.id] = &c;
    }
    for (const auto& row : rows) {
        const auto found = by_id.find(row[0].as<std::string>());
        if (found == by_id.end()) {
            continue;
        }
        auto p = party_of(row);
        auto& parties = found->second->parties;
        if (p.user_id == found->second->caller_id) {
            parties.insert(parties.begin(), std::move(p));
        } else {
            parties.push_back(std::move(p));
        }
    }
}

}  // namespace

void call_repository::declare_statements(db::pool& database) {
    database.declare("calls.lock_family", "SELECT 1 FROM families WHERE id = $1 FOR NO KEY UPDATE");
    database.declare("calls.members_among",
                     "SELECT id FROM users WHERE family_id = $1 AND removed_at IS NULL"
                     " AND id = ANY($2::bigint[]) ORDER BY id");
    database.declare("calls.active_of",
                     "SELECT p.call_id::text, p.user_id, p.state, c.caller_id,"
                     " (SELECT count(*) FROM call_parties q WHERE q.call_id = c.id)"
                     " FROM call_parties p JOIN calls c ON c.id = p.call_id"
                     " WHERE p.user_id = ANY($1::bigint[]) AND p.state IN ('ringing', 'joined')"
                     " AND c.state IN ('ringing', 'accepted')");
    database.declare("calls.insert",
                     db::sql({"INSERT INTO calls (family_id, caller_id, media, state, ring_until)"
                              " VALUES ($1, $2, $3, $4,"
                              " CASE WHEN $5 THEN now() + make_interval(secs => $6) END)"
                              " RETURNING id::text, seq, ",
                              db::utc("created_at")}));
    database.declare(
        "calls.insert_parties",
        "INSERT INTO call_parties (call_id, user_id, state, connection_id,"
        " instance_id, joined_at)"
        " SELECT $1::uuid, u, s, nullif(c, ''), nullif(i, ''),"
        " CASE WHEN s = 'joined' THEN now() END"
        " FROM unnest($2::bigint[], $3::text[], $4::text[], $5::text[]) AS t(u, s, c, i)");
    database.declare("calls.lock", db::sql({"SELECT ", call_columns(),
                                            " FROM calls c WHERE c.id = $1::uuid FOR UPDATE"}));
    database.declare(
        "calls.parties",
        std::string{"SELECT "} + party_columns +
            " FROM call_parties p WHERE p.call_id = ANY($1::uuid[]) ORDER BY p.user_id");
    database.declare(
        "calls.save",
        "UPDATE calls SET state = $2, end_reason = $3, version = version + 1,"
        " ring_until = CASE WHEN $4 THEN ring_until END,"
        " answered_at = CASE WHEN $2 = 'accepted' THEN coalesce(answered_at, now())"
        "   ELSE answered_at END,"
        " ended_at = CASE WHEN $2 NOT IN ('ringing', 'accepted') THEN coalesce(ended_at, now()) END"
        " WHERE id = $1::uuid RETURNING version");
    database.declare(
        "calls.save_parties",
        "UPDATE call_parties p SET state = t.s, connection_id = nullif(t.c, ''),"
        " instance_id = nullif(t.i, ''),"
        " lost_at = CASE WHEN t.lost THEN coalesce(p.lost_at, now()) END,"
        " joined_at = CASE WHEN t.s = 'joined' THEN coalesce(p.joined_at, now()) ELSE p.joined_at "
        "END,"
        " left_at = CASE WHEN t.s NOT IN ('ringing', 'joined') THEN coalesce(p.left_at, now()) END"
        " FROM unnest($2::bigint[], $3::text[], $4::text[], $5::text[], $6::boolean[])"
        "   AS t(u, s, c, i, lost)"
        " WHERE p.call_id = $1::uuid AND p.user_id = t.u"
        " AND (p.state, coalesce(p.connection_id, ''), p.lost_at IS NOT NULL)"
        "   IS DISTINCT FROM (t.s, t.c, t.lost)");
    database.declare("calls.mark_lost",
                     "UPDATE call_parties SET lost_at = now() WHERE connection_id = $1"
                     " AND state = 'joined' AND lost_at IS NULL");
    database.declare("calls.mark_lost_unless_on",
                     "UPDATE call_parties SET lost_at = now() WHERE state = 'joined'"
                     " AND lost_at IS NULL AND instance_id <> ALL($1::text[])");
    database.declare("calls.rings_due",
                     "SELECT id::text FROM calls WHERE ring_until <= now() ORDER BY ring_until"
                     " LIMIT 100");
    database.declare("calls.lost_for",
                     "SELECT call_id::text, user_id, connection_id, instance_id FROM call_parties"
                     " WHERE lost_at <= now() - make_interval(secs => $1) AND state = 'joined'"
                     " ORDER BY lost_at LIMIT 100");
    database.declare("calls.display_name", "SELECT display_name FROM users WHERE id = $1");
    database.declare("calls.family_room",
                     "SELECT id FROM chat_rooms WHERE family_id = $1 AND kind = 'family'");
    database.declare("calls.page", db::sql({"SELECT ", call_columns(),
                                            " FROM calls c WHERE c.family_id = $1 AND c.seq < $2"
                                            " ORDER BY c.seq DESC LIMIT $3"}));
}

void call_repository::lock_family(pqxx::transaction_base& tx, std::int64_t family_id) {
    tx.exec_prepared("calls.lock_family", family_id);
}

std::vector<std::int64_t> call_repository::members_among(pqxx::transaction_base& tx,
                                                         std::int64_t family_id,
                                                         std::span<const std::int64_t> ids) {
    std::vector<std::int64_t> out;
    for (const auto& row : tx.exec_prepared("calls.members_among", family_id, db::int_array(ids))) {
        out.push_back(row[0].as<std::int64_t>());
    }
    return out;
}

std::vector<active_party> call_repository::active_calls_of(pqxx::transaction_base& tx,
                                                           std::span<const std::int64_t> users) {
    std::vector<active_party> out;
    for (const auto& row : tx.exec_prepared("calls.active_of", db::int_array(users))) {
        out.push_back({row[0].as<std::string>(), row[1].as<std::int64_t>(),
                       parse_party_state(row[2].as<std::string>()).value_or(party_state::joined),
                       row[3].as<std::int64_t>(), row[4].as<std::size_t>()});
    }
    return out;
}

void call_repository::insert(pqxx::transaction_base& tx, call_record& call, int ring_timeout_s) {
    const auto row =
        tx.exec_prepared1("calls.insert", call.family_id, call.caller_id,
                          std::string{to_string(call.media)}, std::string{to_string(call.state)},
                          call.ringing_deadline, static_cast<double>(ring_timeout_s));
    call.id = row[0].as<std::string>();
    call.seq = row[1].as<std::int64_t>();
    call.created_at = db::utc_time(row[2]);
    const auto a = arrays_of(call);
    tx.exec_prepared("calls.insert_parties", call.id, db::int_array(a.users),
                     db::text_array(a.states), db::text_array(a.connections),
                     db::text_array(a.instances));
}

std::optional<call_record> call_repository::lock(pqxx::transaction_base& tx,
                                                 const std::string& call_id) {
    const auto rows = tx.exec_prepared("calls.lock", call_id);
    if (rows.empty()) {
        return std::nullopt;
    }
    std::vector<call_record> calls{call_of(rows[0])};
    const std::vector<std::string> ids{call_id};
    add_parties(calls, tx.exec_prepared("calls.parties", db::text_array(ids)));
    return std::move(calls.front());
}

std::int64_t call_repository::save(pqxx::transaction_base& tx, call_record& call) {
    const auto a = arrays_of(call);
    tx.exec_prepared("calls.save_parties", call.id, db::int_array(a.users),
                     db::text_array(a.states), db::text_array(a.connections),
                     db::text_array(a.instances), db::text_array(a.lost));
    const std::optional<std::string> reason =
        call.reason ? std::optional<std::string>{to_string(*call.reason)} : std::nullopt;
    call.version = tx.exec_prepared1("calls.save", call.id, std::string{to_string(call.state)},
                                     reason, call.ringing_deadline)[0]
                       .as<std::int64_t>();
    return call.version;
}

void call_repository::mark_lost(pqxx::transaction_base& tx, const std::string& connection_id) {
    tx.exec_prepared("calls.mark_lost", connection_id);
}

void call_repository::mark_lost_unless_on(pqxx::transaction_base& tx,
                                          std::span<const std::string> live) {
    tx.exec_prepared("calls.mark_lost_unless_on", db::text_array(live));
}

std::vector<std::string> call_repository::rings_due(pqxx::transaction_base& tx) {
    std::vector<std::string> out;
    for (const auto& row : tx.exec_prepared("calls.rings_due")) {
        out.push_back(row[0].as<std::string>());
    }
    return out;
}

std::vector<lost_party> call_repository::lost_for(pqxx::transaction_base& tx, int grace_s) {
    std::vector<lost_party> out;
    for (const auto& row : tx.exec_prepared("calls.lost_for", static_cast<double>(grace_s))) {
        out.push_back(
            {row[0].as<std::string>(), row[1].as<std::int64_t>(),
             device{row[2].as<std::string>(), row[3].is_null() ? "" : row[3].as<std::string>()}});
    }
    return out;
}

std::string call_repository::display_name(pqxx::transaction_base& tx, std::int64_t user_id) {
    return tx.exec_prepared1("calls.display_name", user_id)[0].as<std::string>();
}

std::optional<std::int64_t> call_repository::family_room(pqxx::transaction_base& tx,
                                                         std::int64_t family_id) {
    const auto rows = tx.exec_prepared("calls.family_room", family_id);
    if (rows.empty()) {
        return std::nullopt;
    }
    return rows[0][0].as<std::int64_t>();
}

std::vector<call_record> call_repository::page(pqxx::transaction_base& tx, std::int64_t family_id,
                                               std::optional<std::int64_t> before_seq, int rows) {
    std::vector<call_record> calls;
    for (const auto& row :
         tx.exec_prepared("calls.page", family_id,
                          before_seq.value_or(std::numeric_limits<std::int64_t>::max()), rows)) {
        calls.push_back(call_of(row));
    }
    std::vector<std::string> ids;
    ids.reserve(calls.size());
    for (const auto& c : calls) {
        ids.push_back(c.id);
    }
    if (!ids.empty()) {
        add_parties(calls, tx.exec_prepared("calls.parties", db::text_array(ids)));
    }
    return calls;
}

}  // namespace poki::calls
