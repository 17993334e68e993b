#include "poki/notify/event_repository.hpp"

#include <map>
#include <string>

#include "poki/db/sql_text.hpp"
#include "poki/db/utc_time.hpp"

namespace poki::notify {
namespace {

using db::sql;

constexpr std::string_view created_utc = "created_at AT TIME ZONE 'UTC'";  // db/utc_time.hpp

template <class Row>
stored_event to_event(std::int64_t user_id, const Row& row) {
    return stored_event{user_id, row[0].template as<std::int64_t>(),
                        row[1].template as<std::string>(), row[2].template as<std::string>(),
                        db::utc_time(row[3])};
}

}  // namespace

void event_repository::declare_statements(db::pool& database) {
    // One statement per step for a whole batch: numbers for every recipient (counter rows
    // locked in ascending user id: the input is sorted), the rows, the push outbox.
    database.declare("events.next_seqs",
                     "INSERT INTO event_counters (user_id, last_seq)"
                     " SELECT u, n FROM unnest($1::bigint[], $2::bigint[]) AS t(u, n) ORDER BY u"
                     " ON CONFLICT (user_id) DO UPDATE"
                     "   SET last_seq = event_counters.last_seq + EXCLUDED.last_seq"
                     " RETURNING user_id, last_seq");
    database.declare(
        "events.insert_many",
        sql({"INSERT INTO events (user_id, seq, type, payload)"
             " SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::jsonb[])"
             " RETURNING user_id, seq, payload::text, ",
             created_utc}));
    database.declare("events.queue_pushes",
                     "INSERT INTO push_outbox (user_id, seq, fcm_token, type, title, body)"
                     " SELECT t.u, t.s, d.fcm_token, t.ty, t.ti, t.bo"
                     " FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::text[])"
                     "   AS t(u, s, ty, ti, bo) JOIN devices d ON d.user_id = t.u");
    database.declare("events.after", sql({"SELECT seq, type, payload::text, ", created_utc,
                                          " FROM events WHERE user_id = $1 AND seq > $2"
                                          " ORDER BY seq LIMIT $3"}));
    database.declare("events.position",
                     "SELECT last_seq, pruned_through FROM event_counters WHERE user_id = $1");
    database.declare("events.last_seqs",
                     "SELECT user_id, last_seq FROM event_counters"
                     " WHERE user_id = ANY($1::bigint[])");
    database.declare(
        "events.page",
        sql({"SELECT seq, type, payload::text, ", created_utc,
             ", seq > COALESCE((SELECT read_seq FROM event_counters c WHERE c.user_id = $1), 0)"
             " FROM events WHERE user_id = $1 AND seq < $2 ORDER BY seq DESC LIMIT $3"}));
    database.declare("events.mark_read",
                     "UPDATE event_counters SET read_seq = GREATEST(read_seq, LEAST($2, last_seq))"
                     " WHERE user_id = $1 RETURNING read_seq");
    database.declare("events.unread_count",
                     "SELECT count(*) FROM events e JOIN event_counters c USING (user_id)"
                     " WHERE e.user_id = $1 AND e.seq > c.read_seq");
    database.declare(
        "events.prune",
        "WITH doomed AS (SELECT user_id, seq FROM events"
        "   WHERE created_at < now() - make_interval(secs => $1)"
        "   ORDER BY created_at LIMIT $2 FOR UPDATE SKIP LOCKED),"
        " gone AS (DELETE FROM events e USING doomed d"
        "   WHERE e.user_id = d.user_id AND e.seq = d.seq RETURNING e.user_id, e.seq),"
        " cut AS (UPDATE event_counters c SET pruned_through = GREATEST(c.pruned_through, g.top)"
        "   FROM (SELECT user_id, max(seq) AS top FROM gone GROUP BY user_id) g"
        "   WHERE c.user_id = g.user_id RETURNING 1)"
        " SELECT (SELECT count(*) FROM gone), (SELECT count(*) FROM cut)");
}

std::vector<stored_event> event_repository::record_all(
    pqxx::transaction_base& tx, std::span<const event_draft> drafts,
    const std::function<bool(const event_draft&)>& wants_push) {
    if (drafts.empty()) {
        return {};
    }
    // How many numbers each recipient needs, in ascending user id.
    std::map<std::int64_t, std::int64_t> needed;
    for (const auto& d : drafts) {
        ++needed[d.user_id];
    }
    std::vector<std::int64_t> users;
    std::vector<std::int64_t> counts;
    for (const auto& [user, n] : needed) {
        users.push_back(user);
        counts.push_back(n);
    }
    std::map<std::int64_t, std::int64_t> next;  // the first new number of each user
    for (const auto& row :
         tx.exec_prepared("events.next_seqs", db::int_array(users), db::int_array(counts))) {
        const auto user = row[0].as<std::int64_t>();
        next[user] = row[1].as<std::int64_t>() - needed[user] + 1;
    }
    std::vector<std::int64_t> owners;
    std::vector<std::int64_t> seqs;
    std::vector<std::string> types;
    std::vector<std::string> payloads;
    std::vector<std::int64_t> push_users;
    std::vector<std::int64_t> push_seqs;
    std::vector<std::string> push_types;
    std::vector<std::string> titles;
    std::vector<std::string> bodies;
    for (const auto& d : drafts) {
        const auto seq = next[d.user_id]++;
        owners.push_back(d.user_id);
        seqs.push_back(seq);
        types.push_back(d.type);
        payloads.push_back(d.data.dump());
        if (d.push && wants_push(d)) {
            push_users.push_back(d.user_id);
            push_seqs.push_back(seq);
            push_types.push_back(d.type);
            titles.push_back(d.push->title);
            bodies.push_back(d.push->body);
        }
    }
    const auto rows =
        tx.exec_prepared("events.insert_many", db::int_array(owners), db::int_array(seqs),
                         db::text_array(types), db::text_array(payloads));
    std::map<std::pair<std::int64_t, std::int64_t>, std::pair<std::string, std::string>> stored;
    for (const auto& row : rows) {
        stored[{row[0].as<std::int64_t>(), row[1].as<std::int64_t>()}] = {row[2].as<std::string>(),
                                                                          db::utc_time(row[3])};
    }
    if (!push_users.empty()) {
        tx.exec_prepared("events.queue_pushes", db::int_array(push_users), db::int_array(push_seqs),
                         db::text_array(push_types), db::text_array(titles),
                         db::text_array(bodies));
    }
    std::vector<stored_event> out;
    out.reserve(drafts.size());
    for (std::size_t i = 0; i < drafts.size(); ++i) {
        auto& [data, at] = stored[{owners[i], seqs[i]}];
        out.push_back(stored_event{owners[i], seqs[i], types[i], std::move(data), std::move(at)});
    }
    return out;
}

std::vector<stored_event> event_repository::after(pqxx::transaction_base& tx, std::int64_t user_id,
                                                  std::int64_t after_seq, int limit) {
    const auto rows = tx.exec_prepared("events.after", user_id, after_seq, limit);
    std::vector<stored_event> out;
    out.reserve(rows.size());
    for (const auto& row : rows) {
        out.push_back(to_event(user_id, row));
    }
    return out;
}

event_position event_repository::position(pqxx::transaction_base& tx, std::int64_t user_id) {
    const auto rows = tx.exec_prepared("events.position", user_id);
    if (rows.empty()) {
        return {};
    }
    return event_position{rows[0][0].as<std::int64_t>(), rows[0][1].as<std::int64_t>()};
}

std::vector<std::pair<std::int64_t, std::int64_t>> event_repository::last_seqs(
    pqxx::transaction_base& tx, std::span<const std::int64_t> user_ids) {
    const auto rows = tx.exec_prepared("events.last_seqs", db::int_array(user_ids));
    std::vector<std::pair<std::int64_t, std::int64_t>> out;
    out.reserve(rows.size());
    for (const auto& row : rows) {
        out.emplace_back(row[0].as<std::int64_t>(), row[1].as<std::int64_t>());
    }
    return out;
}

awaitable<std::vector<notification>> event_repository::page(db::read_pipeline& reads,
                                                            std::int64_t user_id,
                                                            std::int64_t before_seq, int limit) {
    const auto rows = co_await reads.query("events.page", db::params(user_id, before_seq, limit));
    co_return db::rows_of<notification>(rows, [user_id](const auto& row) {
        return notification{to_event(user_id, row), row[4].template as<bool>()};
    });
}

std::int64_t event_repository::mark_read(pqxx::transaction_base& tx, std::int64_t user_id,
                                         std::int64_t up_to) {
    const auto rows = tx.exec_prepared("events.mark_read", user_id, up_to);
    return rows.empty() ? 0 : rows[0][0].as<std::int64_t>();
}

std::int64_t event_repository::unread_count(pqxx::transaction_base& tx, std::int64_t user_id) {
    return tx.exec_prepared1("events.unread_count", user_id)[0].as<std::int64_t>();
}

std::int64_t event_repository::prune(pqxx::transaction_base& tx, std::int64_t max_age_seconds,
                                     int batch) {
    return tx.exec_prepared1("events.prune", max_age_seconds, batch)[0].as<std::int64_t>();
}

}  // namespace poki::notify
