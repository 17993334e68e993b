#include "poki/missions/mission_repository.hpp"

#include <algorithm>
#include <limits>
#include <stdexcept>

#include "poki/db/nullable.hpp"
#include "poki/db/read_pipeline.hpp"
#include "poki/db/sql_text.hpp"
#include "poki/db/utc_time.hpp"

namespace poki::missions {
namespace {

using db::sql;

// The mission columns every statement returns, in to_mission's order.
std::string columns() {
    return sql({"id, family_id, child_id, created_by, title, description, tag, reward, ",
                db::utc("due_at"), ", status, note, rejection_reason, decided_by, ",
                db::utc("created_at"), ", ", db::utc("updated_at"), ", ", db::utc("submitted_at"),
                ", ", db::utc("decided_at"), ", COALESCE(due_at <= now(), false)"});
}

template <class Row>
mission to_mission(const Row& r) {
    mission m;
    m.id = r[0].template as<std::int64_t>();
    m.family_id = r[1].template as<std::int64_t>();
    m.child_id = r[2].template as<std::int64_t>();
    m.created_by = r[3].template as<std::int64_t>();
    m.title = r[4].template as<std::string>();
    m.description = r[5].template as<std::string>();
    m.tag = db::nullable<std::string>(r[6]);
    m.reward = r[7].template as<int>();
    m.due_at = db::nullable_utc_time(r[8]);
    m.status =
        parse_mission_status(r[9].template as<std::string>()).value_or(mission_status::assigned);
    m.note = db::nullable<std::string>(r[10]);
    m.rejection_reason = db::nullable<std::string>(r[11]);
    m.decided_by = db::nullable<std::int64_t>(r[12]);
    m.created_at = db::utc_time(r[13]);
    m.updated_at = db::utc_time(r[14]);
    m.submitted_at = db::nullable_utc_time(r[15]);
    m.decided_at = db::nullable_utc_time(r[16]);
    m.overdue = r[17].template as<bool>();
    return m;
}

std::optional<mission> first(const pqxx::result& rows) {
    if (rows.empty()) {
        return std::nullopt;
    }
    return to_mission(rows[0]);
}

}  // namespace

std::string_view to_string(mission_status s) noexcept {
    switch (s) {
        case mission_status::assigned:
            return "assigned";
        case mission_status::submitted:
            return "submitted";
        case mission_status::approved:
            return "approved";
        case mission_status::rejected:
            return "rejected";
        case mission_status::expired:
            return "expired";
    }
    return "assigned";
}

std::optional<mission_status> parse_mission_status(std::string_view text) noexcept {
    for (const auto s :
         {mission_status::assigned, mission_status::submitted, mission_status::approved,
          mission_status::rejected, mission_status::expired}) {
        if (to_string(s) == text) {
            return s;
        }
    }
    return std::nullopt;
}

void mission_repository::declare_statements(db::pool& database) {
    database.declare(
        "missions.insert",
        sql({"INSERT INTO missions (family_id, created_by, child_id, title,",
             " description, tag, reward, due_at)",
             " VALUES ($1, $2, $3, $4, $5, $6, $7, $8::timestamptz) RETURNING ", columns()}));
    database.declare(
        "missions.insert_all",
        sql({"INSERT INTO missions (family_id, created_by, child_id, title, description, tag,",
             " reward, due_at) SELECT f, c, k, t, d, g, w, u FROM unnest($1::bigint[],",
             " $2::bigint[], $3::bigint[], $4::text[], $5::text[], $6::text[], $7::int[],",
             " $8::timestamptz[]) WITH ORDINALITY AS n(f, c, k, t, d, g, w, u, i) ORDER BY i",
             " RETURNING ", columns()}));
    database.declare("missions.find", sql({"SELECT ", columns(),
                                           " FROM missions WHERE id = $1 AND deleted_at IS NULL"}));
    database.declare("missions.lock",
                     sql({"SELECT ", columns(),
                          " FROM missions WHERE id = $1 AND deleted_at IS NULL FOR UPDATE"}));
    // The family scope and "is this child ours" in the statement itself (db::scoped_page).
    database.declare(
        "missions.list",
        db::scoped_page(
            "$2::bigint IS NULL OR EXISTS (SELECT 1 FROM users u WHERE u.id = $2"
            " AND u.family_id = $1 AND u.role = 'child' AND u.removed_at IS NULL)",
            sql({"SELECT ", columns(), " FROM missions WHERE family_id = $1 AND deleted_at IS NULL",
                 " AND ($2::bigint IS NULL OR child_id = $2) AND ($3::text IS NULL OR status = $3)",
                 " AND id < $4 ORDER BY id DESC LIMIT $5"})));
    database.declare(
        "missions.edit",
        sql({"UPDATE missions SET title = $2, description = $3, tag = $4, reward = $5,",
             " due_at = $6::timestamptz, updated_at = now() WHERE id = $1 RETURNING ", columns()}));
    database.declare(
        "missions.submit",
        sql({"UPDATE missions SET status = 'submitted', note = $2,",
             " submitted_at = now(), updated_at = now() WHERE id = $1 RETURNING ", columns()}));
    database.declare(
        "missions.decide",
        sql({"UPDATE missions SET status = $2, rejection_reason = COALESCE($3, rejection_reason),",
             " decided_by = $4, decided_at = now(), updated_at = now() WHERE id = $1 RETURNING ",
             columns()}));
    database.declare("missions.remove",
                     "UPDATE missions SET deleted_at = now(), updated_at = now() WHERE id = $1");
    database.declare("missions.expire",
                     sql({"UPDATE missions SET status = 'expired', updated_at = now()",
                          " WHERE id = $1 AND status = 'assigned' AND due_at <= now()",
                          " AND deleted_at IS NULL RETURNING ", columns()}));
    database.declare(
        "missions.expire_due",
        sql({"WITH due AS (SELECT id AS due_id FROM missions WHERE status = ",
             "'assigned' AND due_at <= now()",
             " AND deleted_at IS NULL ORDER BY due_at LIMIT $1 FOR UPDATE SKIP LOCKED)",
             " UPDATE missions m SET status = 'expired', updated_at = now() FROM due",
             " WHERE m.id = due.due_id RETURNING ", columns()}));
}

mission mission_repository::insert(pqxx::transaction_base& tx, std::int64_t family_id,
                                   std::int64_t created_by, const new_mission& m) {
    return to_mission(tx.exec_prepared1("missions.insert", family_id, created_by, m.child_id,
                                        m.title, m.description, m.tag, m.reward, m.due_at));
}

std::vector<mission> mission_repository::insert_all(pqxx::transaction_base& tx,
                                                    std::span<const assignment> batch) {
    if (batch.empty()) {
        return {};
    }
    std::vector<std::int64_t> families;
    std::vector<std::int64_t> creators;
    std::vector<std::int64_t> children;
    std::vector<std::string> titles;
    std::vector<std::string> descriptions;
    std::vector<std::optional<std::string>> tags;
    std::vector<std::int64_t> rewards;
    std::vector<std::optional<std::string>> due;
    for (const auto& a : batch) {
        families.push_back(a.family_id);
        creators.push_back(a.created_by);
        children.push_back(a.mission.child_id);
        titles.push_back(a.mission.title);
        descriptions.push_back(a.mission.description);
        tags.push_back(a.mission.tag);
        rewards.push_back(a.mission.reward);
        due.push_back(a.mission.due_at);
    }
    const auto rows = tx.exec_prepared(
        "missions.insert_all", db::int_array(families), db::int_array(creators),
        db::int_array(children), db::text_array(titles), db::text_array(descriptions),
        db::text_array(tags), db::int_array(rewards), db::text_array(due));
    std::vector<mission> made;
    made.reserve(rows.size());
    for (const auto& row : rows) {
        made.push_back(to_mission(row));
    }
    // RETURNING promises no order; the ids do: the rows were inserted in the batch's order
    // (ORDER BY the ordinality), each taking the sequence's next value.
    std::sort(made.begin(), made.end(),
              [](const mission& a, const mission& b) { return a.id < b.id; });
    const bool aligned =
        made.size() == batch.size() && std::equal(made.begin(), made.end(), batch.begin(),
                                                  [](const mission& m, const assignment& a) {
                                                      return m.child_id == a.mission.child_id &&
                                                             m.title == a.mission.title;
                                                  });
    if (!aligned) {
        throw std::logic_error{"missions.insert_all: the returned rows do not follow the batch"};
    }
    return made;
}

awaitable<std::optional<mission>> mission_repository::find(db::read_pipeline& reads,
                                                           std::int64_t id) {
    const auto rows = co_await reads.query("missions.find", db::params(id));
    if (rows.empty()) {
        co_return std::nullopt;
    }
    co_return to_mission(rows[0]);
}

std::optional<mission> mission_repository::lock(pqxx::transaction_base& tx, std::int64_t id) {
    return first(tx.exec_prepared("missions.lock", id));
}

awaitable<std::optional<mission_page>> mission_repository::list(db::read_pipeline& reads,
                                                                std::int64_t family_id,
                                                                const mission_filter& filter) {
    std::optional<std::string> status;
    if (filter.status) {
        status = std::string{to_string(*filter.status)};
    }
    const auto before = filter.before.value_or(std::numeric_limits<std::int64_t>::max());
    auto params =
        db::params(family_id, filter.child_id, status, before, rows_for_page(filter.limit));
    const auto result = co_await reads.query("missions.list", std::move(params));
    auto rows = db::scoped_rows<mission>(result, [](const auto& r) { return to_mission(r); });
    if (!rows) {
        co_return std::nullopt;
    }
    co_return page_of(std::move(*rows), filter.limit, [](const mission& m) { return m.id; });
}

mission mission_repository::edit(pqxx::transaction_base& tx, const mission& changed) {
    return to_mission(tx.exec_prepared1("missions.edit", changed.id, changed.title,
                                        changed.description, changed.tag, changed.reward,
                                        changed.due_at));
}

mission mission_repository::submit(pqxx::transaction_base& tx, std::int64_t id,
                                   const std::optional<std::string>& note) {
    return to_mission(tx.exec_prepared1("missions.submit", id, note));
}

mission mission_repository::decide(pqxx::transaction_base& tx, std::int64_t id,
                                   mission_status decision,
                                   const std::optional<std::string>& reason,
                                   std::int64_t parent_id) {
    return to_mission(tx.exec_prepared1("missions.decide", id, std::string{to_string(decision)},
                                        reason, parent_id));
}

void mission_repository::remove(pqxx::transaction_base& tx, std::int64_t id) {
    tx.exec_prepared("missions.remove", id);
}

std::optional<mission> mission_repository::expire(pqxx::transaction_base& tx, std::int64_t id) {
    return first(tx.exec_prepared("missions.expire", id));
}

std::vector<mission> mission_repository::expire_due(pqxx::transaction_base& tx, int batch) {
    std::vector<mission> out;
    for (const auto& row : tx.exec_prepared("missions.expire_due", batch)) {
        out.push_back(to_mission(row));
    }
    return out;
}

}  // namespace poki::missions
