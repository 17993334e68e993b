// The chat writer without HTTP, against a fresh database: a send that breaks its group's
// transaction (text no route would let through) fails alone; every other send of that group,
// of this family and another, is committed and answered.
#include <future>

#include <gtest/gtest.h>

#include "poki/chat/message_writer.hpp"
#include "poki/db/migrations.hpp"
#include "poki/db/read_pipeline.hpp"

#include "support/test_support.hpp"

namespace poki::chat {
namespace {

using std::chrono::milliseconds;

struct family_ids {
    std::int64_t family = 0;
    std::int64_t room = 0;
    std::int64_t member = 0;
};

family_ids make_family(pqxx::work& tx, const std::string& login) {
    family_ids f;
    f.family =
        tx.exec1("INSERT INTO families (name) VALUES ('f') RETURNING id")[0].as<std::int64_t>();
    f.room = tx.exec_params1(
                   "INSERT INTO chat_rooms (family_id, kind) VALUES ($1, 'family') RETURNING id",
                   f.family)[0]
                 .as<std::int64_t>();
    f.member = tx.exec_params1(
                     "INSERT INTO users (family_id, role, login, display_name,"
                     " avatar_color, password_hash) VALUES ($1, 'parent', $2, 'n',"
                     " '#000', 'x') RETURNING id",
                     f.family, login)[0]
                   .as<std::int64_t>();
    return f;
}

TEST(ChatWriter, APoisonedSendFailsAloneAndItsGroupIsCommitted) {
    test::scratch_database db;
    family_ids a;
    family_ids b;
    {
        pqxx::connection c{db.url()};
        (void)db::apply_migrations(c, db::load_migrations(POKI_TEST_SQL_DIR));
        pqxx::work tx{c};
        a = make_family(tx, "mom-a");
        b = make_family(tx, "mom-b");
        tx.commit();
    }
    database_config dbc;
    dbc.url = db.url();
    dbc.pool_size = 2;
    db::pool pool{dbc};
    net::io_context ioc;
    redis_config rc;
    rc.port = static_cast<std::uint16_t>(std::stoi(test::required_env("TEST_POKI_REDIS_PORT")));
    cache::redis_client redis{ioc, rc};
    redis.start();
    events_config ec;
    push_config pc;
    db::read_pipeline reads{ioc.get_executor(), pool, dbc, 1};
    notify::event_service events{pool, reads, redis, ec, pc};
    chat_config cc;
    message_writer writer{ioc, pool, events, cc};

    constexpr int sends = 40;
    constexpr int poisoned = 17;
    std::vector<std::future<send_outcome>> outcomes;
    for (int i = 0; i < sends; ++i) {
        const auto& f = i % 2 == 0 ? a : b;
        send_request r;
        r.author = principal{f.member, f.family, role::parent, 0};
        r.room_id = f.room;
        r.client_id = "00000000-0000-4000-8000-" + std::to_string(100000000000 + i);
        r.text = i == poisoned ? std::string{"cut\0short", 9} : "hello " + std::to_string(i);
        outcomes.push_back(net::co_spawn(ioc, writer.send(std::move(r)), net::use_future));
    }
    const auto all_ready = [&outcomes] {
        return std::all_of(outcomes.begin(), outcomes.end(), [](const auto& f) {
            return f.wait_for(std::chrono::seconds{0}) == std::future_status::ready;
        });
    };
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds{30};
    while (!all_ready() && std::chrono::steady_clock::now() < deadline) {
        ioc.run_one_for(milliseconds{10});
    }
    ASSERT_TRUE(all_ready());
    int committed = 0;
    for (int i = 0; i < sends; ++i) {
        if (i == poisoned) {
            EXPECT_ANY_THROW((void)outcomes[static_cast<std::size_t>(i)].get());
            continue;
        }
        const auto o = outcomes[static_cast<std::size_t>(i)].get();
        EXPECT_TRUE(o.created) << i;
        EXPECT_FALSE(o.refused) << i;
        committed += o.created ? 1 : 0;
    }
    EXPECT_EQ(committed, sends - 1);
    std::string metrics;
    writer.render_metrics(metrics);
    const auto value_of = [&metrics](const std::string& name) {
        const auto at = metrics.find("\n" + name + " ");
        return at == std::string::npos ? -1.0 : std::stod(metrics.substr(at + name.size() + 2));
    };
    // The poisoned send shared a group (all but the first queue behind the first commit),
    // which went again in halves: the others still committed in groups, not one by one.
    EXPECT_GE(value_of("poki_chat_split_groups_total"), 1) << metrics;
    EXPECT_LT(value_of("poki_chat_commit_groups_total"), sends / 2) << metrics;
    pqxx::connection c{db.url()};
    pqxx::nontransaction tx{c};
    EXPECT_EQ(tx.exec1("SELECT count(*) FROM chat_messages")[0].as<int>(), sends - 1);
    redis.stop();
    reads.stop();
    ioc.restart();
    ioc.run_for(milliseconds{50});
    pool.stop();
}

}  // namespace
}  // namespace poki::chat
