// Sends the push outbox through FCM: claims due pushes (exactly one instance gets each),
// skips those whose user is connected or already read the event, retries failures with
// exponential backoff (honouring Retry-After), and deletes device tokens FCM rejects.
#pragma once

#include <atomic>
#include <memory>
#include <optional>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include "poki/core/config.hpp"
#include "poki/core/periodic.hpp"
#include "poki/db/pool.hpp"
#include "poki/notify/event_hub.hpp"
#include "poki/notify/fcm_client.hpp"
#include "poki/notify/push_repository.hpp"

namespace poki::notify {

class push_worker {
  public:
    /// Reads the service account when push is configured; throws std::runtime_error when
    /// the file is unusable. Without one, push is off.
    push_worker(net::io_context& ioc, db::pool& database, event_hub& hub, const push_config& cfg);

    /// Starts sending (or says once that push is off), and measuring the outbox either way.
    void start(job_monitor& jobs);
    /// Thread-safe: something was queued, look now instead of at the next poll.
    void nudge();

    [[nodiscard]] bool enabled() const noexcept { return fcm_ != nullptr; }
    void render_metrics(std::string& out) const;

  private:
    awaitable<void> run();
    awaitable<void> measure_outbox();
    awaitable<void> deliver(const pending_push& p);
    awaitable<void> settle(std::int64_t id, std::optional<std::int64_t> retry_in_ms);
    [[nodiscard]] std::int64_t backoff_ms(const pending_push& p,
                                          std::optional<std::chrono::seconds> retry_after) const;

    net::io_context& ioc_;
    db::pool& database_;
    event_hub& hub_;
    const push_config& config_;
    std::unique_ptr<fcm_client> fcm_;
    net::strand<net::io_context::executor_type> strand_;
    net::steady_timer wake_;
    std::atomic<std::uint64_t> sent_{0};
    std::atomic<std::uint64_t> retried_{0};
    std::atomic<std::uint64_t> skipped_{0};  ///< user connected, event read, or device moved
    std::atomic<std::uint64_t> invalid_tokens_{0};
    std::atomic<std::uint64_t> failed_{0};
    std::atomic<std::int64_t> outbox_depth_{0};
    std::atomic<double> outbox_oldest_age_s_{0};
};

}  // namespace poki::notify
