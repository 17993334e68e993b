// Event streams against the real PostgreSQL and Redis, without HTTP: a channel that
// records what the stream writes (or stalls like a client that stopped reading) stands in
// for the connection. Checks ordering under concurrent producers and reconnects, gap
// filling, and that a stalled client is cut off without holding up another.
#include <random>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <gtest/gtest.h>

#include "poki/db/migrations.hpp"
#include "poki/db/read_pipeline.hpp"
#include "poki/notify/event_hub.hpp"
#include "poki/notify/event_service.hpp"

#include "support/test_support.hpp"

namespace poki::notify {
namespace {

using std::chrono::milliseconds;

/// The connection as a stream sees it, recorded. A channel told to stall after some writes
/// never finishes another one, like a client that stopped reading once its socket filled.
class recording_channel final : public http::stream_channel {
  public:
    explicit recording_channel(net::io_context& ioc, std::optional<int> stall_after = {})
        : strand_{net::make_strand(ioc)}, stall_{strand_}, stall_after_{stall_after} {}

    net::any_io_executor executor() override { return strand_; }

    awaitable<bool> write(std::span<const net::const_buffer> buffers) override {
        if (aborted_) {
            co_return false;
        }
        if (stall_after_ && writes_++ >= *stall_after_) {
            stall_.expires_at(net::steady_timer::time_point::max());
            co_await stall_.async_wait(net::as_tuple(net::use_awaitable));
            co_return false;
        }
        for (const auto& b : buffers) {
            received_.append(static_cast<const char*>(b.data()), b.size());
        }
        co_return true;
    }

    void on_stop(unique_function<void()> fn) override { stop_ = std::move(fn); }
    void abort() override {
        aborted_ = true;
        stall_.cancel();
    }

    /// The client goes away.
    void disconnect() {
        net::post(strand_, [this] {
            if (auto fn = std::move(stop_)) {
                fn();
            }
        });
    }

    /// Ids of the events received (not ready/reset), in order.
    [[nodiscard]] std::vector<std::int64_t> event_ids() const {
        std::vector<std::int64_t> ids;
        std::size_t pos = 0;
        while (true) {
            const auto end = received_.find("\n\n", pos);
            if (end == std::string::npos) {
                break;
            }
            const auto block = received_.substr(pos, end - pos);
            pos = end + 2;
            if (block.starts_with("id: ") && block.find("\nevent: ready") == std::string::npos &&
                block.find("\nevent: reset") == std::string::npos) {
                ids.push_back(std::stoll(block.substr(4, block.find('\n') - 4)));
            }
        }
        return ids;
    }
    [[nodiscard]] bool aborted() const { return aborted_; }

  private:
    net::strand<net::io_context::executor_type> strand_;
    net::steady_timer stall_;
    std::optional<int> stall_after_;
    int writes_ = 0;
    bool aborted_ = false;
    std::string received_;
    unique_function<void()> stop_;
};

class EventStreamTest : public ::testing::Test {
  protected:
    EventStreamTest() {
        {
            pqxx::connection c{db_.url()};
            (void)db::apply_migrations(c, db::load_migrations(POKI_TEST_SQL_DIR));
            pqxx::work tx{c};
            const auto family = tx.exec1("INSERT INTO families (name) VALUES ('f') RETURNING id")[0]
                                    .as<std::int64_t>();
            user_id_ =
                tx.exec_params1(
                      "INSERT INTO users (family_id, role, email, display_name, avatar_color,"
                      " password_hash) VALUES ($1, 'parent', 'p@example.com', 'P', '#fff', 'x')"
                      " RETURNING id",
                      family)[0]
                    .as<std::int64_t>();
            tx.commit();
        }
        database_config dbc;
        dbc.url = db_.url();
        dbc.pool_size = 4;
        pool_ = std::make_unique<db::pool>(dbc);
        reads_ = std::make_unique<db::read_pipeline>(ioc_.get_executor(), *pool_, dbc, 1);
        redis_config_.port = redis_.port();
        redis_config_.reconnect_min = milliseconds{20};
        redis_config_.reconnect_max = milliseconds{100};
        events_config_.heartbeat_s = 1;
        events_config_.stream_queue_bytes = 8192;
        client_ = std::make_unique<cache::redis_client>(ioc_, redis_config_);
        client_->start();
        events_ = std::make_unique<event_service>(*pool_, *reads_, *client_, events_config_,
                                                  push_config_);
        presence_ = std::make_unique<presence::presence_tracker>(ioc_, *client_, presence_config_);
        hub_ = std::make_unique<event_hub>(ioc_, *pool_, *presence_, redis_config_, events_config_);
        hub_->start();
        for (int i = 0; i < 300 && client_->stats().state != cache::redis_state::connected; ++i) {
            ioc_.restart();
            ioc_.run_for(milliseconds{10});
        }
    }

  public:
    ~EventStreamTest() override {
        hub_->stop();
        client_->stop();
        reads_->stop();
        ioc_.restart();
        ioc_.run_for(milliseconds{50});
        pool_->stop();
    }
    EventStreamTest(const EventStreamTest&) = delete;
    EventStreamTest& operator=(const EventStreamTest&) = delete;

  protected:
    /// Commits one event for the user and returns it, unpublished.
    awaitable<stored_event> commit_event(int n) {
        auto write = [this, n](pqxx::work& tx) {
            std::vector<event_draft> drafts{event_draft{user_id_, "test.tick", {{"n", n}}, {}}};
            return events_->record(tx, std::move(drafts));
        };
        auto stored = co_await pool_->transaction(std::move(write));
        co_return stored.front();
    }

    /// `pause` between events keeps producers going while the consumer reconnects.
    awaitable<void> produce(int count, int from, milliseconds pause = milliseconds{0}) {
        for (int i = 0; i < count; ++i) {
            if (pause.count() > 0) {
                co_await sleep(pause);
            }
            auto stored = co_await commit_event(from + i);
            std::vector<stored_event> one;
            one.push_back(std::move(stored));
            co_await events_->publish(std::move(one));
        }
    }

    /// Starts a stream on `channel`; `done` turns true when it ends.
    void start_stream(const std::shared_ptr<event_stream>& stream, recording_channel& channel,
                      const std::shared_ptr<bool>& done) {
        net::co_spawn(channel.executor(), stream->run(channel),
                      [stream, done](const std::exception_ptr&) { *done = true; });
    }

    awaitable<void> sleep(milliseconds d) {
        net::steady_timer t{ioc_, d};
        co_await t.async_wait(net::use_awaitable);
    }

    awaitable<void> until(const std::function<bool()>& ready, milliseconds timeout) {
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        while (!ready() && std::chrono::steady_clock::now() < deadline) {
            co_await sleep(milliseconds{5});
        }
    }

    test::scratch_database db_;
    test::own_redis redis_;
    net::io_context ioc_;
    redis_config redis_config_;
    events_config events_config_;
    push_config push_config_;
    std::unique_ptr<db::pool> pool_;
    std::unique_ptr<cache::redis_client> client_;
    std::unique_ptr<db::read_pipeline> reads_;
    std::unique_ptr<event_service> events_;
    presence_config presence_config_;
    std::unique_ptr<presence::presence_tracker> presence_;
    std::unique_ptr<event_hub> hub_;
    std::int64_t user_id_ = 0;
};

TEST_F(EventStreamTest, ConcurrentProducersAndReconnectsGiveEveryEventOnceInOrder) {
    constexpr int producers = 4;
    constexpr int per_producer = 250;
    constexpr int total = producers * per_producer;
    auto scenario = [this]() -> awaitable<int> {
        auto produced = std::make_shared<int>(0);
        for (int p = 0; p < producers; ++p) {
            net::co_spawn(ioc_, produce(per_producer, p * per_producer, milliseconds{6}),
                          [produced](const std::exception_ptr& e) {
                              EXPECT_FALSE(e) << "a producer failed";
                              ++*produced;
                          });
        }
        std::mt19937 random{42};
        std::vector<std::int64_t> all;
        int connections = 0;
        while (all.size() < static_cast<std::size_t>(total)) {
            const std::optional<std::int64_t> resume =
                all.empty() ? std::optional<std::int64_t>{0} : all.back();
            auto stream = co_await hub_->open_stream(user_id_, resume);
            recording_channel channel{ioc_};
            auto done = std::make_shared<bool>(false);
            start_stream(stream, channel, done);
            ++connections;
            const bool producing = *produced < producers;
            co_await sleep(milliseconds{producing ? 2 + static_cast<int>(random() % 40) : 300});
            channel.disconnect();
            const std::function<bool()> condition_1 = [done] { return *done; };
            co_await until(condition_1, std::chrono::seconds{5});
            EXPECT_TRUE(*done);
            const auto ids = channel.event_ids();
            // Within one connection: exactly the next numbers after the resume point.
            for (std::size_t i = 0; i < ids.size(); ++i) {
                EXPECT_EQ(ids[i], *resume + 1 + static_cast<std::int64_t>(i));
            }
            all.insert(all.end(), ids.begin(), ids.end());
            if (connections > 2000) {
                break;
            }
        }
        const std::function<bool()> condition_2 = [produced] { return *produced == producers; };
        co_await until(condition_2, std::chrono::seconds{30});
        EXPECT_EQ(all.size(), static_cast<std::size_t>(total));
        for (std::size_t i = 0; i < all.size(); ++i) {
            EXPECT_EQ(all[i], static_cast<std::int64_t>(i + 1));
        }
        co_return connections;
    };
    const int connections = test::run(ioc_, scenario());
    EXPECT_GT(connections, 20);
}

TEST_F(EventStreamTest, EventsPublishedOutOfOrderArriveInOrder) {
    auto scenario = [this]() -> awaitable<std::vector<std::int64_t>> {
        auto stream = co_await hub_->open_stream(user_id_, std::nullopt);
        recording_channel channel{ioc_};
        auto done = std::make_shared<bool>(false);
        start_stream(stream, channel, done);
        co_await sleep(milliseconds{100});
        auto first = co_await commit_event(1);
        auto second = co_await commit_event(2);
        std::vector<stored_event> later;
        later.push_back(second);
        co_await events_->publish(std::move(later));  // the later one overtakes
        const std::function<bool()> condition_3 = [&channel] {
            return channel.event_ids().size() == 2;
        };
        co_await until(condition_3, std::chrono::seconds{5});
        std::vector<stored_event> earlier;
        earlier.push_back(first);
        co_await events_->publish(std::move(earlier));  // arrives late: already sent, dropped
        co_await sleep(milliseconds{50});
        channel.disconnect();
        const std::function<bool()> condition_4 = [done] { return *done; };
        co_await until(condition_4, std::chrono::seconds{5});
        co_return channel.event_ids();
    };
    EXPECT_EQ(test::run(ioc_, scenario()), (std::vector<std::int64_t>{1, 2}));
}

TEST_F(EventStreamTest, AClientThatStopsReadingIsCutOffAndDoesNotHoldUpAnother) {
    constexpr int count = 300;  // ~60 KB of events against an 8 KiB queue
    auto scenario = [this]() -> awaitable<void> {
        auto stuck_stream = co_await hub_->open_stream(user_id_, std::nullopt);
        auto good_stream = co_await hub_->open_stream(user_id_, std::nullopt);
        recording_channel stuck{ioc_, 2};  // the preamble and `ready` go out
        recording_channel good{ioc_};
        auto stuck_done = std::make_shared<bool>(false);
        auto good_done = std::make_shared<bool>(false);
        start_stream(stuck_stream, stuck, stuck_done);
        start_stream(good_stream, good, good_done);
        co_await sleep(milliseconds{100});
        co_await produce(count, 0);
        const std::function<bool()> condition_5 = [&good] {
            return good.event_ids().size() == count;
        };
        co_await until(condition_5, std::chrono::seconds{10});
        EXPECT_EQ(good.event_ids().size(), static_cast<std::size_t>(count));
        const std::function<bool()> condition_6 = [stuck_done] { return *stuck_done; };
        co_await until(condition_6, std::chrono::seconds{5});
        EXPECT_TRUE(stuck.aborted());
        EXPECT_TRUE(*stuck_done);
        EXPECT_FALSE(*good_done);
        EXPECT_EQ(hub_->stream_count(), 1U);
        good.disconnect();
        const std::function<bool()> condition_7 = [good_done] { return *good_done; };
        co_await until(condition_7, std::chrono::seconds{5});
        EXPECT_EQ(hub_->stream_count(), 0U);
    };
    test::run(ioc_, scenario());
}

TEST_F(EventStreamTest, RetentionRunsOncePerPeriodHoweverManyInstancesAsk) {
    auto scenario = [this]() -> awaitable<std::vector<bool>> {
        // Another instance's service on the same database, asking at the same time.
        event_service other{*pool_, *reads_, *client_, events_config_, push_config_};
        auto first = co_await events_->prune_expired();
        auto second = co_await other.prune_expired();
        auto third = co_await events_->prune_expired();
        co_return std::vector<bool>{first.has_value(), second.has_value(), third.has_value()};
    };
    EXPECT_EQ(test::run(ioc_, scenario()), (std::vector<bool>{true, false, false}));
}

}  // namespace
}  // namespace poki::notify
