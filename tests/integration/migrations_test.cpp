#include "poki/db/migrations.hpp"

#include <fstream>

#include <gtest/gtest.h>

#include "support/test_support.hpp"

namespace poki::db {
namespace {

void write(const std::filesystem::path& file, const std::string& text) {
    std::ofstream out{file};
    out << text;
}

class MigrationsTest : public ::testing::Test {
  protected:
    MigrationsTest() : dir_{test::temp_dir("poki-migrations")} {}

  public:
    ~MigrationsTest() override { std::filesystem::remove_all(dir_); }
    MigrationsTest(const MigrationsTest&) = delete;
    MigrationsTest& operator=(const MigrationsTest&) = delete;

  protected:
    test::scratch_database db_;
    std::filesystem::path dir_;
};

TEST_F(MigrationsTest, AppliesInOrderOnceAndRecordsThem) {
    write(dir_ / "0002_add_column.sql", "ALTER TABLE widgets ADD COLUMN colour text;");
    write(dir_ / "0001_create.sql", "CREATE TABLE widgets (id int PRIMARY KEY);");
    write(dir_ / "README.txt", "not a migration");
    pqxx::connection c{db_.url()};
    const auto first = apply_migrations(c, load_migrations(dir_));
    EXPECT_EQ(first.applied, (std::vector<std::string>{"0001_create.sql", "0002_add_column.sql"}));
    EXPECT_EQ(first.schema_version, 2);

    const auto again = apply_migrations(c, load_migrations(dir_));
    EXPECT_TRUE(again.applied.empty());
    EXPECT_EQ(again.already_applied, 2U);

    pqxx::nontransaction tx{c};
    EXPECT_EQ(tx.exec1("SELECT count(*) FROM schema_migrations")[0].as<int>(), 2);
    EXPECT_NO_THROW(tx.exec("SELECT colour FROM widgets"));
}

TEST_F(MigrationsTest, RefusesAChangedAppliedFile) {
    write(dir_ / "0001_create.sql", "CREATE TABLE gadgets (id int);");
    pqxx::connection c{db_.url()};
    (void)apply_migrations(c, load_migrations(dir_));
    write(dir_ / "0001_create.sql", "CREATE TABLE gadgets (id bigint);");
    try {
        (void)apply_migrations(c, load_migrations(dir_));
        FAIL() << "a changed migration was accepted";
    } catch (const migration_error& e) {
        EXPECT_NE(std::string{e.what()}.find("0001_create.sql has changed"), std::string::npos)
            << e.what();
    }
}

TEST_F(MigrationsTest, FailedMigrationLeavesNothingBehind) {
    write(dir_ / "0001_ok.sql", "CREATE TABLE fine (id int);");
    write(dir_ / "0002_broken.sql", "CREATE TABLE half (id int); SELECT no_such_function();");
    pqxx::connection c{db_.url()};
    EXPECT_THROW((void)apply_migrations(c, load_migrations(dir_)), pqxx::sql_error);
    pqxx::nontransaction tx{c};
    EXPECT_EQ(tx.exec1("SELECT count(*) FROM schema_migrations")[0].as<int>(), 1);
    EXPECT_EQ(tx.exec1("SELECT to_regclass('half') IS NULL")[0].as<bool>(), true);
}

TEST_F(MigrationsTest, RejectsBadNamesAndDuplicates) {
    write(dir_ / "1_create.sql", "SELECT 1;");
    EXPECT_THROW((void)load_migrations(dir_), migration_error);
    std::filesystem::remove(dir_ / "1_create.sql");
    write(dir_ / "0003_a.sql", "SELECT 1;");
    write(dir_ / "0003_b.sql", "SELECT 1;");
    EXPECT_THROW((void)load_migrations(dir_), migration_error);
    EXPECT_THROW((void)load_migrations(dir_ / "missing"), migration_error);
}

TEST_F(MigrationsTest, ConcurrentRunnersApplyEachFileOnce) {
    write(dir_ / "0001_counter.sql", "CREATE TABLE runs (n int); INSERT INTO runs VALUES (1);");
    const auto migrations = load_migrations(dir_);
    std::vector<std::thread> runners;
    runners.reserve(4);
    std::atomic<int> failures{0};
    for (int i = 0; i < 4; ++i) {
        runners.emplace_back([&] {
            try {
                pqxx::connection c{db_.url()};
                (void)apply_migrations(c, migrations);
            } catch (const std::exception&) {
                ++failures;
            }
        });
    }
    for (auto& t : runners) {
        t.join();
    }
    EXPECT_EQ(failures.load(), 0);
    pqxx::connection c{db_.url()};
    pqxx::nontransaction tx{c};
    EXPECT_EQ(tx.exec1("SELECT count(*) FROM runs")[0].as<int>(), 1);
}

TEST_F(MigrationsTest, ProjectMigrationsApplyToAnEmptyDatabase) {
    pqxx::connection c{db_.url()};
    const auto report = apply_migrations(c, load_migrations(POKI_TEST_SQL_DIR));
    EXPECT_FALSE(report.applied.empty());
    EXPECT_GE(report.schema_version, 1);
}

}  // namespace
}  // namespace poki::db
