#include "poki/notify/push_worker.hpp"

#include <random>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "poki/core/log.hpp"
#include "poki/core/metrics.hpp"

namespace poki::notify {
namespace {

constexpr int claim_batch = 50;
constexpr std::int64_t max_backoff_ms = std::int64_t{3600} * 1000;

}  // namespace

push_worker::push_worker(net::io_context& ioc, db::pool& database, event_hub& hub,
                         const push_config& cfg)
    : ioc_{ioc}
    , database_{database}
    , hub_{hub}
    , config_{cfg}
    , strand_{net::make_strand(ioc)}
    , wake_{strand_} {
    push_repository::declare_statements(database_);
    if (!cfg.service_account_file.empty()) {
        fcm_ =
            std::make_unique<fcm_client>(ioc, cfg, service_account::load(cfg.service_account_file));
    }
}

void push_worker::start(job_monitor& jobs) {
    // Every instance measures: a stuck outbox matters most when this one is not sending.
    std::function<awaitable<void>()> job = [this]() -> awaitable<void> {
        co_await measure_outbox();
    };
    net::co_spawn(ioc_,
                  run_periodically("push outbox gauge",
                                   std::chrono::milliseconds{config_.outbox_measure_interval_ms},
                                   std::move(job), jobs),
                  net::detached);
    if (!fcm_) {
        log::warn("push notifications are off: push.service_account_file is not set");
        return;
    }
    log::info("push notifications on", {{"send_endpoint", fcm_->send_url()}});
    net::co_spawn(strand_, run(), [](const std::exception_ptr& e) {
        if (e) {
            try {
                std::rethrow_exception(e);
            } catch (const std::exception& ex) {
                log::error("push worker stopped", {{"exception", ex.what()}});
            }
        }
    });
}

void push_worker::nudge() {
    net::post(strand_, [this] { wake_.cancel(); });
}

awaitable<void> push_worker::run() {
    // A lease long enough for a slow send, so no other instance takes a push mid-flight.
    const std::int64_t lease_s = config_.request_timeout_ms / 1000 * 3 + 30;
    while (true) {
        std::vector<pending_push> due;
        try {
            auto claim = [lease_s](pqxx::work& tx) {
                return push_repository::claim(tx, claim_batch, lease_s);
            };
            due = co_await database_.transaction(std::move(claim));
        } catch (const std::exception& e) {
            log::warn("push outbox unavailable; retrying", {{"error", e.what()}});
        }
        for (const auto& p : due) {
            try {
                co_await deliver(p);
            } catch (const std::exception& e) {
                // The lease brings it back; nothing is lost.
                log::warn("push not settled", {{"push_id", p.id}, {"error", e.what()}});
            }
        }
        if (due.size() == static_cast<std::size_t>(claim_batch)) {
            continue;
        }
        wake_.expires_after(std::chrono::milliseconds{config_.poll_interval_ms});
        co_await wake_.async_wait(net::as_tuple(net::use_awaitable));
    }
}

awaitable<void> push_worker::measure_outbox() {
    auto read = [](pqxx::work& tx) { return push_repository::outbox(tx); };
    const auto state = co_await database_.transaction(std::move(read));
    outbox_depth_.store(state.depth, std::memory_order_relaxed);
    outbox_oldest_age_s_.store(state.oldest_age_s, std::memory_order_relaxed);
}

awaitable<void> push_worker::deliver(const pending_push& p) {
    if (p.already_read || !p.device_current) {
        skipped_.fetch_add(1, std::memory_order_relaxed);
        co_await settle(p.id, std::nullopt);
        co_return;
    }
    bool connected = false;
    try {
        connected = co_await hub_.online(p.user_id);
    } catch (const std::exception&) {
        // Presence unknown (Redis down): a push too many beats a push missing.
    }
    if (connected) {
        skipped_.fetch_add(1, std::memory_order_relaxed);
        co_await settle(p.id, std::nullopt);
        co_return;
    }
    fcm_result result;
    const fcm_message message{p.fcm_token, p.title, p.body, p.type, p.seq};
    try {
        result = co_await fcm_->send(message);
    } catch (const std::exception& e) {
        result.outcome = fcm_outcome::retry;
        result.detail = e.what();
    }
    switch (result.outcome) {
        case fcm_outcome::sent:
            sent_.fetch_add(1, std::memory_order_relaxed);
            co_await settle(p.id, std::nullopt);
            break;
        case fcm_outcome::token_invalid: {
            invalid_tokens_.fetch_add(1, std::memory_order_relaxed);
            log::info("push token rejected by FCM; device removed",
                      {{"user_id", p.user_id}, {"reason", result.detail}});
            auto forget = [p](pqxx::work& tx) {
                push_repository::forget_device(tx, p.fcm_token, p.user_id);
                push_repository::remove(tx, p.id);
            };
            co_await database_.transaction(std::move(forget));
            break;
        }
        case fcm_outcome::retry:
            if (p.attempts >= config_.max_attempts) {
                failed_.fetch_add(1, std::memory_order_relaxed);
                log::warn(
                    "push given up",
                    {{"user_id", p.user_id}, {"attempts", p.attempts}, {"reason", result.detail}});
                co_await settle(p.id, std::nullopt);
            } else {
                retried_.fetch_add(1, std::memory_order_relaxed);
                co_await settle(p.id, backoff_ms(p, result.retry_after));
            }
            break;
        case fcm_outcome::failed:
            failed_.fetch_add(1, std::memory_order_relaxed);
            log::warn("push refused by FCM", {{"user_id", p.user_id}, {"reason", result.detail}});
            co_await settle(p.id, std::nullopt);
            break;
    }
}

awaitable<void> push_worker::settle(std::int64_t id, std::optional<std::int64_t> retry_in_ms) {
    auto write = [id, retry_in_ms](pqxx::work& tx) {
        if (retry_in_ms) {
            push_repository::retry_in(tx, id, *retry_in_ms);
        } else {
            push_repository::remove(tx, id);
        }
    };
    co_await database_.transaction(std::move(write));
}

std::int64_t push_worker::backoff_ms(const pending_push& p,
                                     std::optional<std::chrono::seconds> retry_after) const {
    const int doublings = std::min(p.attempts - 1, 20);
    auto delay =
        std::min<std::int64_t>(std::int64_t{config_.retry_base_ms} << doublings, max_backoff_ms);
    // Up to a quarter more, so pushes failing together do not retry together.
    thread_local std::minstd_rand jitter{std::random_device{}()};
    delay += static_cast<std::int64_t>(jitter() % static_cast<std::uint64_t>(delay / 4 + 1));
    if (retry_after) {
        delay = std::max<std::int64_t>(delay, retry_after->count() * 1000);
    }
    return delay;
}

void push_worker::render_metrics(std::string& out) const {
    append_counter(out, "poki_push_sent_total", "Pushes FCM accepted.", sent_);
    append_counter(out, "poki_push_retried_total", "Push attempts that will be retried.", retried_);
    append_counter(
        out, "poki_push_skipped_total",
        "Pushes not sent: the user was connected, had read the event, or the device moved.",
        skipped_);
    append_counter(out, "poki_push_invalid_tokens_total", "Device tokens FCM rejected (deleted).",
                   invalid_tokens_);
    append_counter(out, "poki_push_failed_total",
                   "Pushes dropped after FCM refused them or retries ran out.", failed_);
    append_single_metric(
        out, "poki_push_outbox_depth", "gauge",
        "Pushes waiting in the outbox, all instances (push.outbox_measure_interval_ms old).",
        static_cast<double>(outbox_depth_.load(std::memory_order_relaxed)));
    append_single_metric(out, "poki_push_outbox_oldest_age_seconds", "gauge",
                         "Age of the oldest push waiting in the outbox (0 when it is empty).",
                         outbox_oldest_age_s_.load(std::memory_order_relaxed));
}

}  // namespace poki::notify
