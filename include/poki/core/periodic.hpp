// A background job that runs now and then every period until the io_context stops. A run
// that fails is logged and the next one retries; jobs that must run once across instances
// claim each run inside (db::claim_scheduled_run).
#pragma once

#include <chrono>
#include <functional>
#include <string>

#include "poki/core/net.hpp"

namespace poki {

awaitable<void> run_periodically(std::string name, std::chrono::milliseconds period,
                                 std::function<awaitable<void>()> job);

}  // namespace poki
