// What the family calendar asks of missions: those due in a range, inside its own read.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <pqxx/pqxx>

#include "poki/db/pool.hpp"
#include "poki/db/read_pipeline.hpp"

namespace poki::missions {

struct due_mission {
    std::int64_t id = 0;
    std::int64_t child_id = 0;
    std::string title;
    std::string status;
    int reward = 0;
    std::chrono::sys_seconds due_at{};
    std::chrono::sys_seconds updated{};
};

void declare_calendar_statements(db::pool& database);

/// The family's missions (only `child_id`'s when given) due in [from, to), by due time, at
/// most `limit`.
[[nodiscard]] std::vector<due_mission> due_between(pqxx::transaction_base& tx,
                                                   std::int64_t family_id,
                                                   std::optional<std::int64_t> child_id,
                                                   std::chrono::sys_seconds from,
                                                   std::chrono::sys_seconds to, int limit);

/// The same through the read pipeline.
[[nodiscard]] awaitable<std::vector<due_mission>> due_between(
    db::read_pipeline& reads, std::int64_t family_id, std::optional<std::int64_t> child_id,
    std::chrono::sys_seconds from, std::chrono::sys_seconds to, int limit);

}  // namespace poki::missions
