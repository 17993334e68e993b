#include "poki/reservations/reservation_repository.hpp"

#include <algorithm>
#include <limits>
#include <map>

#include "poki/core/timestamp.hpp"
#include "poki/db/nullable.hpp"
#include "poki/db/sql_text.hpp"
#include "poki/db/utc_time.hpp"
#include "poki/schedule/schedule_json.hpp"

namespace poki::reservations {
namespace {

using db::sql;
using std::chrono::sys_seconds;

// The reservation columns every statement returns, in to_reservation's order.
std::string columns() {
    return sql({"r.id, r.family_id, r.created_by, r.child_id, r.title, r.description, r.tag,",
                " r.reward, r.due_minutes, r.starts_on::text, r.at_time::text, r.repeat_every,",
                " r.repeat_interval, r.weekdays, r.month_day, r.repeat_until::text,",
                " r.repeat_count, r.paused_at IS NOT NULL,",
                " extract(epoch FROM r.cursor_at)::bigint, ", db::utc("r.next_at"), ", ",
                db::utc("r.created_at"), ", ", db::utc("r.updated_at"), ", f.time_zone"});
}

constexpr std::string_view from_joined =
    " FROM reservations r JOIN families f ON f.id = r.family_id";

date::local_days date_of(std::string_view text) {
    const auto day = schedule::parse_date(text);
    if (!day) {
        throw std::runtime_error{"reservation: unreadable date from the database"};
    }
    return *day;
}

template <class Row>
schedule::recurrence recurrence_of(const Row& r) {
    schedule::recurrence when;
    when.starts_on = date_of(r[9].template as<std::string>());
    when.at = schedule::parse_time_of_day(r[10].template as<std::string>())
                  .value_or(std::chrono::seconds{0});
    when.repeat.every = schedule::parse_frequency(r[11].template as<std::string>())
                            .value_or(schedule::frequency::once);
    when.repeat.interval = r[12].template as<int>();
    when.repeat.weekdays = static_cast<std::uint8_t>(r[13].template as<int>());
    when.repeat.month_day = r[14].template as<int>();
    if (const auto until = db::nullable<std::string>(r[15])) {
        when.repeat.until = date_of(*until);
    }
    when.repeat.count = db::nullable<int>(r[16]);
    return when;
}

template <class Row>
reservation to_reservation(const Row& r) {
    reservation out;
    out.id = r[0].template as<std::int64_t>();
    out.family_id = r[1].template as<std::int64_t>();
    out.created_by = r[2].template as<std::int64_t>();
    out.mission.child_id = r[3].template as<std::int64_t>();
    out.mission.title = r[4].template as<std::string>();
    out.mission.description = r[5].template as<std::string>();
    out.mission.tag = db::nullable<std::string>(r[6]);
    out.mission.reward = r[7].template as<int>();
    out.mission.due_minutes = db::nullable<int>(r[8]);
    out.when = recurrence_of(r);
    out.paused = r[17].template as<bool>();
    out.cursor = sys_seconds{std::chrono::seconds{r[18].template as<std::int64_t>()}};
    out.next_at = db::nullable_utc_time(r[19]);
    out.created_at = db::utc_time(r[20]);
    out.updated_at = db::utc_time(r[21]);
    out.time_zone = r[22].template as<std::string>();
    return out;
}

std::vector<reservation> all_of(const pqxx::result& rows) {
    std::vector<reservation> out;
    out.reserve(rows.size());
    for (const auto& row : rows) {
        out.push_back(to_reservation(row));
    }
    return out;
}

std::optional<std::string> instant_text(std::optional<sys_seconds> t) {
    if (!t) {
        return std::nullopt;
    }
    return format_rfc3339(*t);
}

std::optional<std::string> date_text(const std::optional<date::local_days>& day) {
    if (!day) {
        return std::nullopt;
    }
    return schedule::format_date(*day);
}

std::optional<std::string> local_text(const std::optional<date::local_seconds>& t) {
    if (!t) {
        return std::nullopt;
    }
    return schedule::format_local_time(*t);
}

/// Where a joined row's record columns begin: after columns().
constexpr int record_column = 23;

/// The record in the columns from `at` on: reservation id, date, state, moved_to, mission.
template <class Row>
occurrence_record to_record(const Row& row, int at = 0) {
    occurrence_record r;
    r.on_date = date_of(row[at + 1].template as<std::string>());
    r.state = parse_occurrence_state(row[at + 2].template as<std::string>())
                  .value_or(occurrence_state::missed);
    if (const auto moved = db::nullable<std::string>(row[at + 3])) {
        auto text = *moved;
        std::replace(text.begin(), text.end(), ' ', 'T');  // PostgreSQL prints a space
        r.moved_to = schedule::parse_local_time(text);
    }
    r.mission_id = db::nullable<std::int64_t>(row[at + 4]);
    return r;
}

}  // namespace

std::string_view to_string(occurrence_state s) noexcept {
    switch (s) {
        case occurrence_state::activated:
            return "activated";
        case occurrence_state::missed:
            return "missed";
        case occurrence_state::skipped:
            return "skipped";
        case occurrence_state::moved:
            return "moved";
    }
    return "missed";
}

std::optional<occurrence_state> parse_occurrence_state(std::string_view text) noexcept {
    for (const auto s : {occurrence_state::activated, occurrence_state::missed,
                         occurrence_state::skipped, occurrence_state::moved}) {
        if (to_string(s) == text) {
            return s;
        }
    }
    return std::nullopt;
}

void reservation_repository::declare_statements(db::pool& database) {
    database.declare(
        "reservations.kept",
        "SELECT count(*) FROM reservations WHERE family_id = $1 AND deleted_at IS NULL");
    database.declare("reservations.zone", "SELECT time_zone FROM families WHERE id = $1");
    database.declare(
        "reservations.insert",
        sql({"WITH r AS (INSERT INTO reservations (family_id, created_by, child_id, title,",
             " description, tag, reward, due_minutes, starts_on, at_time, repeat_every,",
             " repeat_interval, weekdays, month_day, repeat_until, repeat_count, cursor_at,",
             " next_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::date, $10::time, $11, $12,",
             " $13, $14, $15::date, $16, $17::timestamptz, $18::timestamptz) RETURNING *)",
             " SELECT ", columns(), " FROM r JOIN families f ON f.id = r.family_id"}));
    const auto one =
        sql({"SELECT ", columns(), from_joined, " WHERE r.id = $1 AND r.deleted_at IS NULL"});
    database.declare("reservations.find", one);
    database.declare("reservations.lock", one + " FOR UPDATE OF r");
    database.declare(
        "reservations.list",
        db::scoped_page("$2::bigint IS NULL OR EXISTS (SELECT 1 FROM users u WHERE u.id = $2"
                        " AND u.family_id = $1 AND u.role = 'child' AND u.removed_at IS NULL)",
                        sql({"SELECT ", columns(), from_joined,
                             " WHERE r.family_id = $1 AND r.deleted_at IS NULL",
                             " AND ($2::bigint IS NULL OR r.child_id = $2) AND r.id < $3",
                             " ORDER BY r.id DESC LIMIT $4"})));
    database.declare(
        "reservations.save",
        sql({"WITH r AS (UPDATE reservations SET title = $2, description = $3, tag = $4,",
             " reward = $5, due_minutes = $6, starts_on = $7::date, at_time = $8::time,",
             " repeat_every = $9, repeat_interval = $10, weekdays = $11, month_day = $12,",
             " repeat_until = $13::date, repeat_count = $14,",
             " paused_at = CASE WHEN $15 THEN COALESCE(paused_at, now()) END,",
             " cursor_at = $16::timestamptz, next_at = $17::timestamptz, updated_at = now()",
             " WHERE id = $1 RETURNING *)", " SELECT ", columns(),
             " FROM r JOIN families f ON f.id = r.family_id"}));
    database.declare("reservations.remove",
                     "UPDATE reservations SET deleted_at = now(), next_at = NULL,"
                     " updated_at = now() WHERE id = $1");
    // The locking query itself answers the columns: a row another instance changed since
    // this statement's snapshot is rechecked and returned as it is now, never as it was.
    // The child's removal ends their reservations: the job finds them and finishes them.
    database.declare(
        "reservations.claim_due",
        sql({"SELECT ", columns(), ", EXISTS (SELECT 1 FROM users u WHERE u.id = r.child_id",
             " AND u.removed_at IS NULL)", from_joined,
             " WHERE r.next_at <= now() AND r.paused_at IS NULL AND r.deleted_at IS NULL",
             " ORDER BY r.next_at LIMIT $1 FOR UPDATE OF r SKIP LOCKED"}));
    database.declare(
        "reservations.advance",
        "UPDATE reservations r SET cursor_at = m.cursor_at, next_at = m.next_at,"
        " updated_at = now() FROM unnest($1::bigint[], $2::timestamptz[], $3::timestamptz[])"
        " AS m(id, cursor_at, next_at) WHERE r.id = m.id");
    database.declare("reservations.postpone",
                     "UPDATE reservations SET next_at = $2::timestamptz WHERE id = $1");
    database.declare("reservations.lock_family",
                     sql({"SELECT ", columns(), from_joined,
                          " WHERE r.family_id = $1 AND r.deleted_at IS NULL ORDER BY r.id",
                          " FOR UPDATE OF r"}));
    database.declare(
        "reservations.active",
        sql({"SELECT ", columns(), from_joined,
             " WHERE r.family_id = $1 AND ($2::bigint IS NULL OR r.child_id = $2)",
             " AND r.deleted_at IS NULL AND r.paused_at IS NULL AND r.next_at IS NOT NULL",
             " ORDER BY r.id LIMIT $3"}));
    // The window's reads: each active reservation with its records (on or after $4, or
    // moved) in one statement, a reservation without any as one row of NULL records.
    database.declare(
        "reservations.active_with_records",
        sql({"SELECT ", columns(), ", o.reservation_id, o.on_date::text, o.state,",
             " o.moved_to::text, o.mission_id FROM (SELECT * FROM reservations",
             " WHERE family_id = $1 AND ($2::bigint IS NULL OR child_id = $2)",
             " AND deleted_at IS NULL AND paused_at IS NULL AND next_at IS NOT NULL",
             " ORDER BY id LIMIT $3) r JOIN families f ON f.id = r.family_id",
             " LEFT JOIN reservation_occurrences o ON o.reservation_id = r.id",
             " AND (o.on_date >= $4::date OR o.state = 'moved') ORDER BY r.id, o.on_date"}));
    database.declare(
        "reservations.records",
        "SELECT reservation_id, on_date::text, state, moved_to::text, mission_id"
        " FROM reservation_occurrences WHERE reservation_id = ANY($1::bigint[])"
        " AND (on_date >= $2::date OR state = 'moved') ORDER BY reservation_id, on_date");
    // Only a moved occurrence's record may become what finally happened to it.
    database.declare(
        "reservations.record",
        "INSERT INTO reservation_occurrences (reservation_id, on_date, state, moved_to,"
        " mission_id) SELECT * FROM unnest($1::bigint[], $2::date[], $3::text[],"
        " $4::timestamp[], $5::bigint[])"
        " ON CONFLICT (reservation_id, on_date) DO UPDATE SET state = EXCLUDED.state,"
        " mission_id = EXCLUDED.mission_id, recorded_at = now()"
        " WHERE reservation_occurrences.state = 'moved'");
    database.declare(
        "reservations.record_change",
        "INSERT INTO reservation_occurrences (reservation_id, on_date, state, moved_to)"
        " VALUES ($1, $2::date, $3, $4::timestamp)"
        " ON CONFLICT (reservation_id, on_date) DO UPDATE SET state = EXCLUDED.state,"
        " moved_to = EXCLUDED.moved_to, recorded_at = now()"
        " WHERE reservation_occurrences.state IN ('skipped', 'moved')");
    database.declare("reservations.forget_changes",
                     "DELETE FROM reservation_occurrences WHERE reservation_id = $1"
                     " AND on_date >= $2::date AND state IN ('skipped', 'moved')");
}

int reservation_repository::kept(pqxx::transaction_base& tx, std::int64_t family_id) {
    return tx.exec_prepared1("reservations.kept", family_id)[0].as<int>();
}

std::string reservation_repository::family_zone(pqxx::transaction_base& tx,
                                                std::int64_t family_id) {
    return tx.exec_prepared1("reservations.zone", family_id)[0].as<std::string>();
}

reservation reservation_repository::insert(pqxx::transaction_base& tx, std::int64_t family_id,
                                           std::int64_t created_by, const new_reservation& r,
                                           sys_seconds cursor, std::optional<sys_seconds> next) {
    const auto& m = r.mission;
    const auto& w = r.when;
    return to_reservation(tx.exec_prepared1(
        "reservations.insert", family_id, created_by, m.child_id, m.title, m.description, m.tag,
        m.reward, m.due_minutes, schedule::format_date(w.starts_on),
        schedule::format_time_of_day(w.at), std::string{schedule::to_string(w.repeat.every)},
        w.repeat.interval, static_cast<int>(w.repeat.weekdays), w.repeat.month_day,
        date_text(w.repeat.until), w.repeat.count, instant_text(cursor), instant_text(next)));
}

awaitable<std::optional<reservation>> reservation_repository::find(db::read_pipeline& reads,
                                                                   std::int64_t id) {
    const auto rows = co_await reads.query("reservations.find", db::params(id));
    if (rows.empty()) {
        co_return std::nullopt;
    }
    co_return to_reservation(rows[0]);
}

std::optional<reservation> reservation_repository::find(pqxx::transaction_base& tx,
                                                        std::int64_t id) {
    const auto rows = tx.exec_prepared("reservations.find", id);
    if (rows.empty()) {
        return std::nullopt;
    }
    return to_reservation(rows[0]);
}

std::optional<reservation> reservation_repository::lock(pqxx::transaction_base& tx,
                                                        std::int64_t id) {
    const auto rows = tx.exec_prepared("reservations.lock", id);
    if (rows.empty()) {
        return std::nullopt;
    }
    return to_reservation(rows[0]);
}

awaitable<std::optional<reservation_page>> reservation_repository::list(
    db::read_pipeline& reads, std::int64_t family_id, const reservation_filter& filter) {
    const auto before = filter.before.value_or(std::numeric_limits<std::int64_t>::max());
    auto params = db::params(family_id, filter.child_id, before, rows_for_page(filter.limit));
    const auto result = co_await reads.query("reservations.list", std::move(params));
    auto rows =
        db::scoped_rows<reservation>(result, [](const auto& r) { return to_reservation(r); });
    if (!rows) {
        co_return std::nullopt;
    }
    co_return page_of(std::move(*rows), filter.limit, [](const reservation& r) { return r.id; });
}

reservation reservation_repository::save(pqxx::transaction_base& tx, const reservation& r,
                                         std::optional<sys_seconds> next) {
    const auto& m = r.mission;
    const auto& w = r.when;
    return to_reservation(tx.exec_prepared1(
        "reservations.save", r.id, m.title, m.description, m.tag, m.reward, m.due_minutes,
        schedule::format_date(w.starts_on), schedule::format_time_of_day(w.at),
        std::string{schedule::to_string(w.repeat.every)}, w.repeat.interval,
        static_cast<int>(w.repeat.weekdays), w.repeat.month_day, date_text(w.repeat.until),
        w.repeat.count, r.paused, instant_text(r.cursor), instant_text(next)));
}

void reservation_repository::advance(pqxx::transaction_base& tx, std::span<const progress> moves) {
    if (moves.empty()) {
        return;
    }
    std::vector<std::int64_t> ids;
    std::vector<std::string> cursors;
    std::vector<std::optional<std::string>> next;
    for (const auto& m : moves) {
        ids.push_back(m.id);
        cursors.push_back(format_rfc3339(m.cursor));
        next.push_back(instant_text(m.next));
    }
    tx.exec_prepared("reservations.advance", db::int_array(ids), db::text_array(cursors),
                     db::text_array(next));
}

void reservation_repository::postpone(pqxx::transaction_base& tx, std::int64_t id,
                                      sys_seconds until) {
    tx.exec_prepared("reservations.postpone", id, instant_text(until));
}

void reservation_repository::remove(pqxx::transaction_base& tx, std::int64_t id) {
    tx.exec_prepared("reservations.remove", id);
}

std::vector<reservation_repository::claimed> reservation_repository::claim_due(
    pqxx::transaction_base& tx, int batch) {
    std::vector<claimed> out;
    const auto rows = tx.exec_prepared("reservations.claim_due", batch);
    out.reserve(rows.size());
    for (const auto& row : rows) {
        out.push_back(claimed{to_reservation(row), row[23].as<bool>()});
    }
    return out;
}

std::vector<reservation> reservation_repository::active(pqxx::transaction_base& tx,
                                                        std::int64_t family_id,
                                                        std::optional<std::int64_t> child_id,
                                                        int limit) {
    return all_of(tx.exec_prepared("reservations.active", family_id, child_id, limit));
}

awaitable<reservation_repository::active_plans> reservation_repository::active(
    db::read_pipeline& reads, std::int64_t family_id, std::optional<std::int64_t> child_id,
    date::local_days from_date, int limit) {
    const auto rows = co_await reads.query(
        "reservations.active_with_records",
        db::params(family_id, child_id, limit, schedule::format_date(from_date)));
    active_plans out;
    for (int i = 0; i < rows.rows(); ++i) {
        const auto row = rows[i];
        if (out.list.empty() || out.list.back().id != row[0].as<std::int64_t>()) {
            out.list.push_back(to_reservation(row));
            out.records.emplace_back();
        }
        if (!row[record_column].is_null()) {
            out.records.back().push_back(to_record(row, record_column));
        }
    }
    co_return out;
}

std::vector<reservation> reservation_repository::lock_family(pqxx::transaction_base& tx,
                                                             std::int64_t family_id) {
    return all_of(tx.exec_prepared("reservations.lock_family", family_id));
}

std::vector<std::vector<occurrence_record>> reservation_repository::records(
    pqxx::transaction_base& tx, std::span<const std::int64_t> ids, date::local_days from_date) {
    std::map<std::int64_t, std::vector<occurrence_record>> found;
    for (const auto& row : tx.exec_prepared("reservations.records", db::int_array(ids),
                                            schedule::format_date(from_date))) {
        found[row[0].as<std::int64_t>()].push_back(to_record(row));
    }
    std::vector<std::vector<occurrence_record>> out;
    out.reserve(ids.size());
    for (const auto id : ids) {
        auto at = found.find(id);
        out.push_back(at == found.end() ? std::vector<occurrence_record>{} : std::move(at->second));
    }
    return out;
}

void reservation_repository::record(pqxx::transaction_base& tx, std::span<const outcome> outcomes) {
    if (outcomes.empty()) {
        return;
    }
    std::vector<std::int64_t> ids;
    std::vector<std::string> dates;
    std::vector<std::string> states;
    std::vector<std::optional<std::string>> moved_to;
    std::vector<std::optional<std::int64_t>> missions;
    for (const auto& o : outcomes) {
        ids.push_back(o.reservation_id);
        dates.push_back(schedule::format_date(o.record.on_date));
        states.emplace_back(to_string(o.record.state));
        moved_to.push_back(local_text(o.record.moved_to));
        missions.push_back(o.record.mission_id);
    }
    const auto done =
        tx.exec_prepared("reservations.record", db::int_array(ids), db::text_array(dates),
                         db::text_array(states), db::text_array(moved_to), db::int_array(missions));
    if (done.affected_rows() != outcomes.size()) {
        throw std::runtime_error{"reservation occurrence recorded twice"};
    }
}

bool reservation_repository::record_change(pqxx::transaction_base& tx, std::int64_t reservation_id,
                                           const occurrence_record& r) {
    const auto done = tx.exec_prepared("reservations.record_change", reservation_id,
                                       schedule::format_date(r.on_date),
                                       std::string{to_string(r.state)}, local_text(r.moved_to));
    return done.affected_rows() == 1;
}

void reservation_repository::forget_changes(pqxx::transaction_base& tx, std::int64_t reservation_id,
                                            date::local_days from_date) {
    tx.exec_prepared("reservations.forget_changes", reservation_id,
                     schedule::format_date(from_date));
}

}  // namespace poki::reservations
