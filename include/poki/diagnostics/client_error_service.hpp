// Records client error reports durably before acknowledging them.
#pragma once

#include <array>
#include <atomic>
#include <string>

#include "poki/db/pool.hpp"
#include "poki/diagnostics/client_error.hpp"

namespace poki::diagnostics {

class client_error_service {
  public:
    explicit client_error_service(db::pool& database) : database_{database} {}

    /// Stores the report; returns its id once PostgreSQL has committed it.
    awaitable<std::int64_t> record(client_error_report report, std::string request_id);

    void render_metrics(std::string& out) const;

  private:
    db::pool& database_;
    std::array<std::atomic<std::uint64_t>, 3> recorded_{};
};

}  // namespace poki::diagnostics
