#include "poki/grapes/board_calendar.hpp"

namespace poki::grapes {

void declare_calendar_statements(db::pool& database) {
    database.declare(
        "grapes.redeemed_between",
        "SELECT id, child_id, number, gift_name, extract(epoch FROM redeemed_at)::bigint"
        " FROM grape_boards WHERE family_id = $1 AND ($2::bigint IS NULL OR child_id = $2)"
        " AND redeemed_at >= to_timestamp($3) AND redeemed_at < to_timestamp($4)"
        " ORDER BY redeemed_at, id LIMIT $5");
}

namespace {

template <class Rows>
std::vector<gift_day> gift_days_of(const Rows& rows, std::size_t count) {
    std::vector<gift_day> out;
    out.reserve(count);
    for (std::size_t i = 0; i < count; ++i) {
        const auto r = rows[static_cast<int>(i)];
        gift_day d;
        d.board_id = r[0].template as<std::int64_t>();
        d.child_id = r[1].template as<std::int64_t>();
        d.number = r[2].template as<int>();
        if (!r[3].is_null()) {
            d.gift_name = r[3].template as<std::string>();
        }
        d.redeemed_at =
            std::chrono::sys_seconds{std::chrono::seconds{r[4].template as<std::int64_t>()}};
        out.push_back(std::move(d));
    }
    return out;
}

}  // namespace

awaitable<std::vector<gift_day>> redeemed_between(db::read_pipeline& reads, std::int64_t family_id,
                                                  std::optional<std::int64_t> child_id,
                                                  std::chrono::sys_seconds from,
                                                  std::chrono::sys_seconds to, int limit) {
    const auto rows = co_await reads.query(
        "grapes.redeemed_between", db::params(family_id, child_id, from.time_since_epoch().count(),
                                              to.time_since_epoch().count(), limit));
    co_return gift_days_of(rows, static_cast<std::size_t>(rows.rows()));
}

std::vector<gift_day> redeemed_between(pqxx::transaction_base& tx, std::int64_t family_id,
                                       std::optional<std::int64_t> child_id,
                                       std::chrono::sys_seconds from, std::chrono::sys_seconds to,
                                       int limit) {
    const auto rows =
        tx.exec_prepared("grapes.redeemed_between", family_id, child_id,
                         from.time_since_epoch().count(), to.time_since_epoch().count(), limit);
    return gift_days_of(rows, rows.size());
}

}  // namespace poki::grapes
