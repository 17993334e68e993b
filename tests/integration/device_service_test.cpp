// Push-device registration and pruning against a fresh database.
#include "poki/notify/device_service.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <gtest/gtest.h>

#include "poki/db/migrations.hpp"

#include "support/test_support.hpp"

namespace poki::notify {
namespace {

class DeviceServiceTest : public ::testing::Test {
  protected:
    DeviceServiceTest() {
        pqxx::connection c{db_.url()};
        (void)db::apply_migrations(c, db::load_migrations(POKI_TEST_SQL_DIR));
        pqxx::work tx{c};
        const auto family =
            tx.exec1("INSERT INTO families (name) VALUES ('f') RETURNING id")[0].as<std::int64_t>();
        for (int i = 0; i < 2; ++i) {
            users_.push_back(
                tx.exec_params1(
                      "INSERT INTO users (family_id, role, login, display_name, avatar_color,"
                      " password_hash) VALUES ($1, 'child', $2, 'k', '#000', 'x') RETURNING id",
                      family, "kid" + std::to_string(i))[0]
                    .as<std::int64_t>());
        }
        tx.commit();
        database_config dbc;
        dbc.url = db_.url();
        dbc.pool_size = 2;
        pool_ = std::make_unique<db::pool>(dbc);
        service_ = std::make_unique<device_service>(*pool_, config_);
    }

    principal user(std::size_t i) const { return principal{users_.at(i), 0, role::child, 0}; }

    std::int64_t count(const std::string& sql) {
        pqxx::connection c{db_.url()};
        pqxx::nontransaction tx{c};
        return tx.exec1(sql)[0].as<std::int64_t>();
    }

    void exec(const std::string& sql) {
        pqxx::connection c{db_.url()};
        pqxx::nontransaction tx{c};
        tx.exec(sql);
    }

    test::scratch_database db_;
    std::vector<std::int64_t> users_;
    devices_config config_;
    net::io_context ioc_;
    std::unique_ptr<db::pool> pool_;
    std::unique_ptr<device_service> service_;
};

TEST_F(DeviceServiceTest, ATokenBelongsToOneUserAndMovesOnRegistration) {
    const auto d = test::run(ioc_, service_->register_device(user(0), "tok:1", "ios", "1.0"));
    EXPECT_EQ(d.user_id, user(0).user_id);
    EXPECT_EQ(d.last_seen_at.size(), 20U);
    const auto moved =
        test::run(ioc_, service_->register_device(user(1), "tok:1", "android", "1.1"));
    EXPECT_EQ(moved.user_id, user(1).user_id);
    EXPECT_EQ(moved.platform, "android");
    EXPECT_EQ(count("SELECT count(*) FROM devices"), 1);
    // The first user can no longer delete it; the owner can.
    EXPECT_THROW(test::run(ioc_, service_->unregister_device(user(0), "tok:1")), error);
    test::run(ioc_, service_->unregister_device(user(1), "tok:1"));
    EXPECT_EQ(count("SELECT count(*) FROM devices"), 0);
}

TEST_F(DeviceServiceTest, PruningDeletesOnlyStaleTokens) {
    // One statement: 1,200 committed one by one took 39 s of CI on a busy disk.
    exec(
        "INSERT INTO devices (fcm_token, user_id, platform, app_version, last_seen_at)"
        " SELECT 'old' || g, " +
        std::to_string(user(0).user_id) +
        ", 'web', '1', now() - interval '61 days' FROM generate_series(1, 1200) g");
    exec(
        "INSERT INTO devices (fcm_token, user_id, platform, app_version, last_seen_at) VALUES "
        "('fresh', " +
        std::to_string(user(0).user_id) + ", 'web', '1', now() - interval '59 days')");
    EXPECT_EQ(test::run(ioc_, service_->prune_stale()),
              std::optional<std::int64_t>{1200});  // three batches
    EXPECT_EQ(count("SELECT count(*) FROM devices"), 1);
    EXPECT_EQ(count("SELECT count(*) FROM devices WHERE fcm_token = 'fresh'"), 1);
    std::string metrics;
    service_->render_metrics(metrics);
    EXPECT_NE(metrics.find("poki_device_pruned_total 1200"), std::string::npos) << metrics;
    EXPECT_NE(metrics.find("poki_device_prune_runs_total 1"), std::string::npos);
}

TEST_F(DeviceServiceTest, TwoInstancesPruneEachTokenOnce) {
    exec(
        "INSERT INTO devices (fcm_token, user_id, platform, app_version, last_seen_at)"
        " SELECT 'stale' || g, " +
        std::to_string(user(1).user_id) +
        ", 'ios', '1', now() - interval '90 days' FROM generate_series(1, 3000) g");
    database_config dbc;
    dbc.url = db_.url();
    dbc.pool_size = 2;
    db::pool other_pool{dbc};
    device_service other{other_pool, config_};
    const auto both = test::run(ioc_, [&]() -> awaitable<std::int64_t> {
        using namespace boost::asio::experimental::awaitable_operators;
        const auto [a, b] = co_await (service_->prune_stale() && other.prune_stale());
        // The run is claimed: exactly one instance prunes, the other stands aside.
        EXPECT_NE(a.has_value(), b.has_value());
        co_return a.value_or(0) + b.value_or(0);
    }());
    EXPECT_EQ(both, 3000);
    EXPECT_EQ(count("SELECT count(*) FROM devices"), 0);
}

}  // namespace
}  // namespace poki::notify
