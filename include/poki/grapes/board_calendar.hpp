// What the family calendar asks of grape boards: the gift days (boards redeemed) in a range.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <pqxx/pqxx>

#include "poki/db/pool.hpp"
#include "poki/db/read_pipeline.hpp"

namespace poki::grapes {

struct gift_day {
    std::int64_t board_id = 0;
    std::int64_t child_id = 0;
    int number = 0;
    std::optional<std::string> gift_name;
    std::chrono::sys_seconds redeemed_at{};
};

void declare_calendar_statements(db::pool& database);

/// The family's boards (only `child_id`'s when given) redeemed in [from, to), oldest first,
/// at most `limit`.
[[nodiscard]] std::vector<gift_day> redeemed_between(pqxx::transaction_base& tx,
                                                     std::int64_t family_id,
                                                     std::optional<std::int64_t> child_id,
                                                     std::chrono::sys_seconds from,
                                                     std::chrono::sys_seconds to, int limit);

/// The same through the read pipeline.
[[nodiscard]] awaitable<std::vector<gift_day>> redeemed_between(
    db::read_pipeline& reads, std::int64_t family_id, std::optional<std::int64_t> child_id,
    std::chrono::sys_seconds from, std::chrono::sys_seconds to, int limit);

}  // namespace poki::grapes
