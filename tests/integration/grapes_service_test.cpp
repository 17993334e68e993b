// The board and mission services without HTTP, against a fresh database: many awards,
// corrections and attaches racing on one child keep the ledger exact (every balance is the
// running sum, never below zero, attached never above it); an approval raced many times by
// two parents pays once; the ledger refuses to be rewritten.
#include <future>

#include <gtest/gtest.h>

#include "poki/db/migrations.hpp"
#include "poki/db/read_pipeline.hpp"
#include "poki/grapes/board_service.hpp"
#include "poki/missions/mission_service.hpp"

#include "support/test_support.hpp"

namespace poki::grapes {
namespace {

using std::chrono::milliseconds;

class GrapesServiceTest : public ::testing::Test {
  protected:
    GrapesServiceTest() {
        {
            pqxx::connection c{db_.url()};
            (void)db::apply_migrations(c, db::load_migrations(POKI_TEST_SQL_DIR));
            pqxx::work tx{c};
            family_ = tx.exec1("INSERT INTO families (name) VALUES ('f') RETURNING id")[0]
                          .as<std::int64_t>();
            const auto user = [&](const std::string& role, const std::string& login) {
                return tx
                    .exec_params1(
                        "INSERT INTO users (family_id, role, login, display_name,"
                        " avatar_color, password_hash) VALUES ($1, $2, $3, 'n', '#000',"
                        " 'x') RETURNING id",
                        family_, role, login)[0]
                    .as<std::int64_t>();
            };
            mom_ = user("parent", "mom");
            dad_ = user("parent", "dad");
            kid_ = user("child", "kid");
            tx.commit();
        }
        database_config dbc;
        dbc.url = db_.url();
        dbc.pool_size = 4;
        pool_ = std::make_unique<db::pool>(dbc);
        reads_ = std::make_unique<db::read_pipeline>(ioc_.get_executor(), *pool_, dbc, 1);
        redis_config_.port = redis_.port();
        client_ = std::make_unique<cache::redis_client>(ioc_, redis_config_);
        client_->start();
        events_ = std::make_unique<notify::event_service>(*pool_, *reads_, *client_, events_config_,
                                                          push_config_);
        boards_ = std::make_unique<board_service>(*pool_, *reads_, *events_);
        missions_ = std::make_unique<missions::mission_service>(ioc_, *pool_, *reads_, *events_,
                                                                missions_config_);
    }

  public:
    ~GrapesServiceTest() override {
        client_->stop();
        reads_->stop();
        ioc_.restart();
        ioc_.run_for(milliseconds{50});
        pool_->stop();
    }
    GrapesServiceTest(const GrapesServiceTest&) = delete;
    GrapesServiceTest& operator=(const GrapesServiceTest&) = delete;

  protected:
    [[nodiscard]] principal mom() const { return {mom_, family_, role::parent}; }
    [[nodiscard]] principal dad() const { return {dad_, family_, role::parent}; }
    [[nodiscard]] principal kid() const { return {kid_, family_, role::child}; }

    /// Runs every task at once on the io_context; counts those that finished without error.
    template <class T>
    int run_all(std::vector<awaitable<T>> tasks) {
        std::vector<std::future<T>> futures;
        futures.reserve(tasks.size());
        for (auto& task : tasks) {
            futures.push_back(net::co_spawn(ioc_, std::move(task), net::use_future));
        }
        ioc_.restart();
        const auto ready = [&futures] {
            return std::all_of(futures.begin(), futures.end(), [](auto& f) {
                return f.wait_for(std::chrono::seconds{0}) == std::future_status::ready;
            });
        };
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds{60};
        while (!ready() && std::chrono::steady_clock::now() < deadline) {
            ioc_.run_one_for(milliseconds{10});
        }
        int ok = 0;
        for (auto& f : futures) {
            try {
                f.get();
                ++ok;
            } catch (const error& e) {
                EXPECT_EQ(e.code(), errc::conflict) << e.detail();
            }
        }
        return ok;
    }

    /// Every entry's balance is the running sum; returns the last one.
    int check_ledger() {
        pqxx::connection c{db_.url()};
        pqxx::read_transaction tx{c};
        int running = 0;
        for (const auto& row : tx.exec_params(
                 "SELECT amount, balance FROM grape_ledger WHERE child_id = $1 ORDER BY id",
                 kid_)) {
            running += row[0].as<int>();
            EXPECT_EQ(row[1].as<int>(), running);
            EXPECT_GE(running, 0);
        }
        return running;
    }

    test::scratch_database db_;
    test::own_redis redis_;
    net::io_context ioc_;
    redis_config redis_config_;
    events_config events_config_;
    push_config push_config_;
    missions_config missions_config_;
    std::unique_ptr<db::pool> pool_;
    std::unique_ptr<cache::redis_client> client_;
    std::unique_ptr<db::read_pipeline> reads_;
    std::unique_ptr<notify::event_service> events_;
    std::unique_ptr<board_service> boards_;
    std::unique_ptr<missions::mission_service> missions_;
    std::int64_t family_ = 0;
    std::int64_t mom_ = 0;
    std::int64_t dad_ = 0;
    std::int64_t kid_ = 0;
};

TEST_F(GrapesServiceTest, RacingAwardsCorrectionsAndAttachesKeepTheLedgerExact) {
    std::vector<awaitable<keyed_answer>> changes;
    changes.reserve(60);
    for (int i = 0; i < 60; ++i) {
        const auto amount = i % 3 == 2 ? -4 : 2;
        changes.push_back(
            boards_->adjust(i % 2 == 0 ? mom() : dad(), kid_, amount, "race", std::nullopt));
    }
    std::vector<awaitable<board>> attaches;
    attaches.reserve(30);
    for (int i = 0; i < 30; ++i) {
        attaches.push_back(boards_->attach(kid(), kid_, 1));
    }
    const int adjusted = run_all(std::move(changes));
    const int stuck = run_all(std::move(attaches));
    EXPECT_GE(adjusted, 40);  // every award succeeds; corrections only while grapes remain

    const auto balance = check_ledger();
    const auto b = test::run(ioc_, boards_->get(kid(), kid_));
    EXPECT_EQ(b.balance, balance);
    EXPECT_LE(b.attached, b.balance);
    EXPECT_LE(b.attached, stuck);
}

TEST_F(GrapesServiceTest, AnApprovalRacedByTwoParentsPaysOnce) {
    missions::new_mission input;
    input.child_id = kid_;
    input.title = "양치하기";
    input.reward = 4;
    const auto m =
        test::run(ioc_, missions_->create(mom(), input)).body.at("id").get<std::int64_t>();
    (void)test::run(ioc_, missions_->submit(kid(), m, std::nullopt));

    std::vector<awaitable<missions::transition>> approvals;
    approvals.reserve(12);
    for (int i = 0; i < 12; ++i) {
        approvals.push_back(missions_->approve(i % 2 == 0 ? mom() : dad(), m));
    }
    EXPECT_EQ(run_all(std::move(approvals)), 12);
    EXPECT_EQ(check_ledger(), 4);
    EXPECT_EQ(test::run(ioc_, boards_->get(mom(), kid_)).balance, 4);
}

TEST_F(GrapesServiceTest, ApprovalsArrivingTogetherCommitTogetherAndABadOneFailsAlone) {
    const auto submitted_mission = [this](bool submit) {
        missions::new_mission input;
        input.child_id = kid_;
        input.title = "책 읽기";
        input.reward = 2;
        const auto id =
            test::run(ioc_, missions_->create(mom(), input)).body.at("id").get<std::int64_t>();
        if (submit) {
            (void)test::run(ioc_, missions_->submit(kid(), id, std::nullopt));
        }
        return id;
    };
    std::vector<std::int64_t> ready;
    ready.reserve(30);
    for (int i = 0; i < 30; ++i) {
        ready.push_back(submitted_mission(true));
    }
    const auto not_submitted = submitted_mission(false);

    std::vector<awaitable<missions::transition>> approvals;
    for (const auto id : ready) {  // each twice: the second finds it approved
        approvals.push_back(missions_->approve(mom(), id));
        approvals.push_back(missions_->approve(dad(), id));
    }
    approvals.insert(approvals.begin() + 31, missions_->approve(dad(), not_submitted));
    EXPECT_EQ(run_all(std::move(approvals)), 60);  // the one bad approval is a 409 alone
    EXPECT_EQ(check_ledger(), 60);

    std::string metrics;
    missions_->render_metrics(metrics);
    const auto value_of = [&metrics](const std::string& name) {
        const auto at = metrics.find("\n" + name + " ");
        return at == std::string::npos ? -1.0 : std::stod(metrics.substr(at + name.size() + 2));
    };
    EXPECT_EQ(value_of("poki_missions_approved_total"), 30);
    EXPECT_GE(value_of("poki_mission_largest_approval_group"), 2);
    EXPECT_LT(value_of("poki_mission_approval_groups_total"), 61);
}

TEST_F(GrapesServiceTest, TheLedgerCannotBeRewritten) {
    (void)test::run(ioc_, boards_->adjust(mom(), kid_, 5, "first", std::nullopt));
    pqxx::connection c{db_.url()};
    {
        pqxx::work tx{c};
        EXPECT_THROW(tx.exec("UPDATE grape_ledger SET amount = 500"), pqxx::sql_error);
    }
    {
        pqxx::work tx{c};
        EXPECT_THROW(tx.exec("DELETE FROM grape_ledger"), pqxx::sql_error);
    }
    EXPECT_EQ(check_ledger(), 5);
}

}  // namespace
}  // namespace poki::grapes
