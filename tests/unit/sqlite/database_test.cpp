// The SQLite wrapper shared by the store and the index: statements, the cache, errors,
// transactions and online backup.
#include "sqlite/database.h"

#include <gtest/gtest.h>

#include <stdexcept>

#include "sqlite/backup.h"
#include "support/test_support.h"

namespace wenku::sqlite {
namespace {

class SqliteTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto c = Connection::open((dir_ / "t.db").string());
    ASSERT_TRUE(c.ok()) << c.error().message;
    c_ = std::move(c).value();
    ASSERT_TRUE(c_->exec("CREATE TABLE t(id INTEGER PRIMARY KEY, name TEXT UNIQUE, data BLOB)").ok());
  }
  int64_t count() {
    auto st = c_->prepare("SELECT count(*) FROM t");
    EXPECT_TRUE(*st.step());
    return st.int64(0);
  }
  testing::TempDir dir_;
  std::unique_ptr<Connection> c_;
};

TEST_F(SqliteTest, BoundValuesRoundTrip) {
  auto ins = c_->prepare("INSERT INTO t(name, data) VALUES(?1, ?2)");
  std::string bytes("a\0b", 3);
  ins.bind(1, "文库 'x'").bind_blob(2, bytes);
  ASSERT_TRUE(ins.run().ok());
  auto st = c_->prepare("SELECT id, name, data FROM t");
  ASSERT_TRUE(*st.step());
  EXPECT_EQ(st.int64(0), c_->last_insert_id());
  EXPECT_EQ(st.text(1), "文库 'x'");
  EXPECT_EQ(st.blob(2), bytes);
  EXPECT_FALSE(*st.step());
}

TEST_F(SqliteTest, ACachedStatementIsReusedAndTheSameSqlMayBeOpenTwice) {
  for (int i = 0; i < 3; ++i) {
    auto ins = c_->prepare("INSERT INTO t(name) VALUES(?1)");
    ins.bind(1, "n" + std::to_string(i));
    ASSERT_TRUE(ins.run().ok());
  }
  auto outer = c_->prepare("SELECT name FROM t ORDER BY id");
  ASSERT_TRUE(*outer.step());
  {
    // The same SQL while the first is mid-read: a second statement, not the busy one.
    auto inner = c_->prepare("SELECT name FROM t ORDER BY id");
    ASSERT_TRUE(*inner.step());
    EXPECT_EQ(inner.text(0), "n0");
  }
  ASSERT_TRUE(*outer.step());
  EXPECT_EQ(outer.text(0), "n1");  // the outer read went on undisturbed
  EXPECT_EQ(count(), 3);
}

TEST_F(SqliteTest, AConstraintIsAConflict) {
  ASSERT_TRUE(c_->prepare("INSERT INTO t(name) VALUES('a')").run().ok());
  auto again = c_->prepare("INSERT INTO t(name) VALUES('a')");
  auto r = again.run();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kConflict);
}

TEST_F(SqliteTest, BadSqlIsABug) {
  EXPECT_THROW(c_->prepare("SELEC nothing"), std::logic_error);
  EXPECT_THROW(c_->prepare("SELECT * FROM no_such_table"), std::logic_error);
}

TEST_F(SqliteTest, TransactionRollsBackUnlessCommitted) {
  {
    Transaction tx(*c_);
    ASSERT_TRUE(tx.begin().ok());
    ASSERT_TRUE(c_->prepare("INSERT INTO t(name) VALUES('gone')").run().ok());
  }
  EXPECT_EQ(count(), 0);
  Transaction tx(*c_);
  ASSERT_TRUE(tx.begin().ok());
  ASSERT_TRUE(c_->prepare("INSERT INTO t(name) VALUES('kept')").run().ok());
  ASSERT_TRUE(tx.commit().ok());
  EXPECT_EQ(count(), 1);
}

TEST_F(SqliteTest, ABusyDatabaseIsUnavailable) {
  auto other = Connection::open((dir_ / "t.db").string(), {.create = false, .busy_timeout_ms = 0});
  ASSERT_TRUE(other.ok());
  Transaction tx(*c_);
  ASSERT_TRUE(tx.begin().ok());
  auto r = (*other)->exec("BEGIN IMMEDIATE");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kUnavailable);
}

TEST_F(SqliteTest, OpeningAMissingFileWithoutCreateFails) {
  auto c = Connection::open((dir_ / "missing.db").string(), {.create = false});
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code, ErrorCode::kIo);
}

TEST_F(SqliteTest, BackupCopiesASnapshotIntoANewFileOnly) {
  ASSERT_TRUE(c_->prepare("INSERT INTO t(name) VALUES('x')").run().ok());
  std::string copy = (dir_ / "copy.db").string();
  ASSERT_TRUE(backup_to_file(*c_, copy).ok());
  auto again = backup_to_file(*c_, copy);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, ErrorCode::kAlreadyExists);
  EXPECT_FALSE(std::filesystem::exists(copy + ".partial"));
  auto c = Connection::open(copy, {.create = false});
  ASSERT_TRUE(c.ok());
  auto st = (*c)->prepare("SELECT name FROM t");
  ASSERT_TRUE(*st.step());
  EXPECT_EQ(st.text(0), "x");
}

}  // namespace
}  // namespace wenku::sqlite
