#include "support/service_stack.hpp"

#include <gtest/gtest.h>

#include "poki/db/migrations.hpp"

namespace poki::test {

service_stack::service_stack(int pool_size) {
    {
        pqxx::connection c{database.url()};
        (void)db::apply_migrations(c, db::load_migrations(POKI_TEST_SQL_DIR));
    }
    database_config dbc;
    dbc.url = database.url();
    dbc.pool_size = pool_size;
    pool = std::make_unique<db::pool>(dbc);
    reads = std::make_unique<db::read_pipeline>(ioc.get_executor(), *pool, dbc, 1);
    redis_config rc;
    rc.port = redis_server.port();
    rc.reconnect_min = std::chrono::milliseconds{20};
    rc.reconnect_max = std::chrono::milliseconds{100};
    redis = std::make_unique<cache::redis_client>(ioc, rc);
    redis->start();
    wait_for_redis();
}

service_stack::~service_stack() {
    redis->stop();
    reads->stop();
    ioc.restart();
    ioc.run_for(std::chrono::milliseconds{50});
    pool->stop();
}

void service_stack::wait_for_redis(bool up) {
    const auto connected = [this] { return redis->stats().state == cache::redis_state::connected; };
    for (int i = 0; i < 200 && connected() != up; ++i) {
        ioc.restart();
        ioc.run_for(std::chrono::milliseconds{10});
    }
}

std::int64_t service_stack::count(const std::string& sql) const {
    pqxx::connection c{database.url()};
    pqxx::nontransaction tx{c};
    return tx.exec1(sql)[0].as<std::int64_t>();
}

service_stack::made_family service_stack::add_family(const std::string& name) const {
    pqxx::connection c{database.url()};
    pqxx::work tx{c};
    made_family f;
    f.id = tx.exec_params1("INSERT INTO families (name) VALUES ($1) RETURNING id", name)[0]
               .as<std::int64_t>();
    f.chat_room = tx.exec_params1(
                        "INSERT INTO chat_rooms (family_id, kind)"
                        " VALUES ($1, 'family') RETURNING id",
                        f.id)[0]
                      .as<std::int64_t>();
    tx.commit();
    return f;
}

principal service_stack::add_member(std::int64_t family_id, role r,
                                    const std::string& login) const {
    pqxx::connection c{database.url()};
    pqxx::work tx{c};
    const std::string role_name = r == role::parent ? "parent" : "child";
    const auto id = tx.exec_params1(
                          "INSERT INTO users (family_id, role, login, display_name,"
                          " avatar_color, password_hash)"
                          " VALUES ($1, $2, $3::text, $3::text, '#000', 'x') RETURNING id",
                          family_id, role_name, login)[0]
                        .as<std::int64_t>();
    tx.commit();
    return {id, family_id, r};
}

errc failure_of(const std::function<void()>& f) {
    try {
        f();
    } catch (const error& e) {
        return e.code();
    }
    ADD_FAILURE() << "no error";
    return errc::internal;
}

}  // namespace poki::test
