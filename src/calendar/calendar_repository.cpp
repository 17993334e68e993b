#include "poki/calendar/calendar_repository.hpp"

#include "poki/core/error.hpp"
#include "poki/db/sql_text.hpp"
#include "poki/db/utc_time.hpp"
#include "poki/schedule/schedule_json.hpp"

namespace poki::calendar {
namespace {

using db::sql;

std::string columns() {
    return sql({"e.id, e.family_id, e.created_by, e.title, e.note, e.location, e.all_day,",
                " e.starts_at::text, e.ends_at::text, e.repeat_every, e.repeat_interval,",
                " e.weekdays, e.month_day, e.repeat_until::text, e.repeat_count,",
                " array_to_string(e.member_ids, ','), f.time_zone, ", db::utc("e.created_at"), ", ",
                db::utc("e.updated_at"), ", extract(epoch FROM e.updated_at)::bigint"});
}

/// How many columns() names.
constexpr int event_columns = 20;

constexpr std::string_view from_joined =
    " FROM family_events e JOIN families f ON f.id = e.family_id";

date::local_seconds local_of(const std::string& text) {
    // PostgreSQL prints timestamp(0) as "2026-12-24 18:00:00".
    auto iso = text;
    if (iso.size() > 10) {
        iso[10] = 'T';
    }
    const auto t = schedule::parse_local_time(iso);
    if (!t) {
        throw std::runtime_error{"family event: unreadable local time from the database"};
    }
    return *t;
}

std::vector<std::int64_t> ids_of(const std::string& list) {
    std::vector<std::int64_t> out;
    std::size_t start = 0;
    while (start < list.size()) {
        const auto comma = list.find(',', start);
        const auto end = comma == std::string::npos ? list.size() : comma;
        out.push_back(std::stoll(list.substr(start, end - start)));
        start = end + 1;
    }
    return out;
}

std::string array_of(const std::vector<std::int64_t>& ids) {
    std::string out = "{";
    for (std::size_t i = 0; i < ids.size(); ++i) {
        out += (i == 0 ? "" : ",") + std::to_string(ids[i]);
    }
    return out + "}";
}

template <class Row>
family_event to_event(const Row& r) {
    family_event e;
    e.id = r[0].template as<std::int64_t>();
    e.family_id = r[1].template as<std::int64_t>();
    e.created_by = r[2].template as<std::int64_t>();
    e.title = r[3].template as<std::string>();
    e.note = r[4].template as<std::string>();
    if (!r[5].is_null()) {
        e.location = r[5].template as<std::string>();
    }
    e.all_day = r[6].template as<bool>();
    e.starts = local_of(r[7].template as<std::string>());
    e.ends = local_of(r[8].template as<std::string>());
    e.repeat.every = schedule::parse_frequency(r[9].template as<std::string>())
                         .value_or(schedule::frequency::once);
    e.repeat.interval = r[10].template as<int>();
    e.repeat.weekdays = static_cast<std::uint8_t>(r[11].template as<int>());
    e.repeat.month_day = r[12].template as<int>();
    if (!r[13].is_null()) {
        e.repeat.until = schedule::parse_date(r[13].template as<std::string>());
    }
    if (!r[14].is_null()) {
        e.repeat.count = r[14].template as<int>();
    }
    e.member_ids = ids_of(r[15].template as<std::string>());
    e.time_zone = r[16].template as<std::string>();
    e.created_at = db::utc_time(r[17]);
    e.updated_at = db::utc_time(r[18]);
    e.updated = std::chrono::sys_seconds{std::chrono::seconds{r[19].template as<std::int64_t>()}};
    return e;
}

std::optional<std::string> until_text(const schedule::repeat_rule& rule) {
    if (!rule.until) {
        return std::nullopt;
    }
    return schedule::format_date(*rule.until);
}

}  // namespace

void calendar_repository::declare_statements(db::pool& database) {
    const std::string values =
        "$3, $4, $5, $6, $7::timestamp, $8::timestamp, $9, $10, $11, $12, $13::date, $14,"
        " $15::bigint[]";
    database.declare(
        "calendar.insert",
        sql({"WITH e AS (INSERT INTO family_events (family_id, created_by, title, note, location,",
             " all_day, starts_at, ends_at, repeat_every, repeat_interval, weekdays, month_day,",
             " repeat_until, repeat_count, member_ids) VALUES ($1, $2, ", values,
             ") RETURNING *) SELECT ", columns(),
             " FROM e JOIN families f ON f.id = e.family_id"}));
    const auto one =
        sql({"SELECT ", columns(), from_joined, " WHERE e.id = $1 AND e.deleted_at IS NULL"});
    database.declare("calendar.find", one);
    database.declare("calendar.lock", one + " FOR UPDATE OF e");
    database.declare(
        "calendar.save",
        sql({"WITH e AS (UPDATE family_events SET title = $3, note = $4, location = $5,",
             " all_day = $6, starts_at = $7::timestamp, ends_at = $8::timestamp,",
             " repeat_every = $9, repeat_interval = $10, weekdays = $11, month_day = $12,",
             " repeat_until = $13::date, repeat_count = $14, member_ids = $15::bigint[],",
             " updated_at = now() WHERE id = $1 AND family_id = $2 RETURNING *) SELECT ", columns(),
             " FROM e JOIN families f ON f.id = e.family_id"}));
    database.declare(
        "calendar.remove",
        "UPDATE family_events SET deleted_at = now(), updated_at = now() WHERE id = $1");
    database.declare(
        "calendar.in_family",
        sql({"SELECT ", columns(), from_joined,
             " WHERE e.family_id = $1 AND e.deleted_at IS NULL AND ($2::bigint IS NULL",
             " OR e.member_ids = '{}' OR $2 = ANY(e.member_ids)) ORDER BY e.id LIMIT $3"}));
    database.declare("calendar.zone", "SELECT time_zone FROM families WHERE id = $1");
    // A family without events is one row of NULL event columns, its zone last.
    database.declare(
        "calendar.family_calendar",
        sql({"SELECT ev.*, f.time_zone FROM families f LEFT JOIN LATERAL (SELECT ", columns(),
             " FROM family_events e WHERE e.family_id = f.id AND e.deleted_at IS NULL",
             " AND ($2::bigint IS NULL OR e.member_ids = '{}' OR $2 = ANY(e.member_ids))",
             " ORDER BY e.id LIMIT $3) ev ON true WHERE f.id = $1"}));
    database.declare(
        "calendar.kept",
        "SELECT count(*) FROM family_events WHERE family_id = $1 AND deleted_at IS NULL");
    database.declare("calendar.set_feed",
                     "INSERT INTO calendar_feeds (user_id, token_hash) VALUES ($1, $2)"
                     " ON CONFLICT (user_id) DO UPDATE SET token_hash = EXCLUDED.token_hash,"
                     " created_at = now()");
    database.declare("calendar.feed_owner",
                     "SELECT u.id, u.family_id, u.role = 'child' FROM calendar_feeds c"
                     " JOIN users u ON u.id = c.user_id WHERE c.token_hash = $1"
                     " AND u.removed_at IS NULL");
}

family_event calendar_repository::insert(pqxx::transaction_base& tx, std::int64_t family_id,
                                         std::int64_t created_by, const new_event& e) {
    return to_event(tx.exec_prepared1(
        "calendar.insert", family_id, created_by, e.title, e.note, e.location, e.all_day,
        schedule::format_local_time(e.starts), schedule::format_local_time(e.ends),
        std::string{schedule::to_string(e.repeat.every)}, e.repeat.interval,
        static_cast<int>(e.repeat.weekdays), e.repeat.month_day, until_text(e.repeat),
        e.repeat.count, array_of(e.member_ids)));
}

std::optional<family_event> calendar_repository::find(pqxx::transaction_base& tx, std::int64_t id) {
    const auto rows = tx.exec_prepared("calendar.find", id);
    if (rows.empty()) {
        return std::nullopt;
    }
    return to_event(rows[0]);
}

std::optional<family_event> calendar_repository::lock(pqxx::transaction_base& tx, std::int64_t id) {
    const auto rows = tx.exec_prepared("calendar.lock", id);
    if (rows.empty()) {
        return std::nullopt;
    }
    return to_event(rows[0]);
}

family_event calendar_repository::save(pqxx::transaction_base& tx, const family_event& current,
                                       const new_event& e) {
    return to_event(tx.exec_prepared1(
        "calendar.save", current.id, current.family_id, e.title, e.note, e.location, e.all_day,
        schedule::format_local_time(e.starts), schedule::format_local_time(e.ends),
        std::string{schedule::to_string(e.repeat.every)}, e.repeat.interval,
        static_cast<int>(e.repeat.weekdays), e.repeat.month_day, until_text(e.repeat),
        e.repeat.count, array_of(e.member_ids)));
}

void calendar_repository::remove(pqxx::transaction_base& tx, std::int64_t id) {
    tx.exec_prepared("calendar.remove", id);
}

std::vector<family_event> calendar_repository::in_family(pqxx::transaction_base& tx,
                                                         std::int64_t family_id,
                                                         std::optional<std::int64_t> member,
                                                         int limit) {
    std::vector<family_event> out;
    for (const auto& r : tx.exec_prepared("calendar.in_family", family_id, member, limit)) {
        out.push_back(to_event(r));
    }
    return out;
}

awaitable<calendar_repository::zone_and_events> calendar_repository::family_calendar(
    db::read_pipeline& reads, std::int64_t family_id, std::optional<std::int64_t> member,
    int limit) {
    const auto rows =
        co_await reads.query("calendar.family_calendar", db::params(family_id, member, limit));
    if (rows.empty()) {
        throw error{errc::not_found, "No such family."};
    }
    zone_and_events out;
    out.time_zone = rows[0][event_columns].as<std::string>();
    for (int i = 0; i < rows.rows(); ++i) {
        if (!rows[i][0].is_null()) {
            out.events.push_back(to_event(rows[i]));
        }
    }
    co_return out;
}

std::string calendar_repository::family_zone(pqxx::transaction_base& tx, std::int64_t family_id) {
    return tx.exec_prepared1("calendar.zone", family_id)[0].as<std::string>();
}

int calendar_repository::kept(pqxx::transaction_base& tx, std::int64_t family_id) {
    return tx.exec_prepared1("calendar.kept", family_id)[0].as<int>();
}

void calendar_repository::set_feed(pqxx::transaction_base& tx, std::int64_t user_id,
                                   const std::string& token_hash) {
    tx.exec_prepared("calendar.set_feed", user_id, token_hash);
}

std::optional<calendar_repository::feed_owner> calendar_repository::feed_owner_of(
    pqxx::transaction_base& tx, const std::string& token_hash) {
    const auto rows = tx.exec_prepared("calendar.feed_owner", token_hash);
    if (rows.empty()) {
        return std::nullopt;
    }
    return feed_owner{rows[0][0].as<std::int64_t>(), rows[0][1].as<std::int64_t>(),
                      rows[0][2].as<bool>()};
}

}  // namespace poki::calendar
