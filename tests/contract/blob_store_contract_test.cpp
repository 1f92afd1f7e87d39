// Contract of BlobStore, run against every implementation.
#include <gtest/gtest.h>

#include <set>

#include "blob/blob_store.h"
#include "core/hash.h"
#include "s3/s3_server.h"
#include "support/test_support.h"

namespace wenku::blob {
namespace {

struct FileBackend {
  static std::string url(const std::filesystem::path& dir, std::string* /*skip*/) {
    return "file://" + (dir / "blobs").string();
  }
  // Changes the stored bytes behind the store's back.
  static void damage(BlobStore& store, const std::filesystem::path& dir, const std::string& key,
                     std::string_view bytes) {
    auto local = store.local_path(key, dir);
    ASSERT_TRUE(local.ok());
    testing::write_file(*local, bytes);
  }
};

// s3rver started by the test (tests/s3); each test gets its own prefix in the bucket.
struct S3Backend {
  static std::string url(const std::filesystem::path& dir, std::string* skip) {
    auto* server = testing::shared_s3_server(skip);
    if (!server) return {};
    static int n = 0;
    auto creds = testing::write_s3_credentials(dir, "S3RVER", "S3RVER");
    return "s3://wenku-test/contract-" + std::to_string(++n) + "?endpoint=" + server->endpoint() +
           "&region=us-east-1&credentials_file=" + creds.string();
  }
  // Overwrites the object's file in s3rver's directory (same length, other bytes).
  static void damage(BlobStore& /*store*/, const std::filesystem::path& /*dir*/, const std::string& key,
                     std::string_view bytes) {
    std::string why;
    auto* server = testing::shared_s3_server(&why);
    ASSERT_NE(server, nullptr) << why;
    bool found = false;
    for (const auto& e : std::filesystem::recursive_directory_iterator(server->dir())) {
      if (e.path().filename() == key + "._S3rver_object") {
        testing::write_file(e.path(), bytes);
        found = true;
      }
    }
    ASSERT_TRUE(found) << "no object file for " << key << " under " << server->dir();
  }
};

template <typename Backend>
class BlobStoreContract : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string skip;
    std::string url = Backend::url(dir_.path(), &skip);
    if (url.empty()) GTEST_SKIP() << skip;
    auto s = open_blob_store(url);
    ASSERT_TRUE(s.ok()) << s.error().message;
    store_ = std::move(s).value();
  }
  testing::TempDir dir_;
  std::unique_ptr<BlobStore> store_;
};

using Backends = ::testing::Types<FileBackend, S3Backend>;
TYPED_TEST_SUITE(BlobStoreContract, Backends);

// A stored copy cut short (an upload interrupted on a store whose writes are not atomic)
// is written again by the next put of the same bytes, never kept as it is.
TYPED_TEST(BlobStoreContract, ACopyCutShortIsWrittenAgainByTheNextPut) {
  const std::string data(5000, 'w');
  auto key = this->store_->put_bytes(data);
  ASSERT_TRUE(key.ok());
  TypeParam::damage(*this->store_, this->dir_.path(), *key, data.substr(0, 1200));
  ASSERT_EQ(*this->store_->size(*key), 1200u);
  ASSERT_TRUE(this->store_->put_bytes(data).ok());
  EXPECT_EQ(*this->store_->read_all(*key), data);
  TypeParam::damage(*this->store_, this->dir_.path(), *key, data.substr(0, 10));
  auto tmp = this->dir_.path() / "again.bin";
  testing::write_file(tmp, data);
  ASSERT_TRUE(this->store_->put_file(tmp, *key).ok());
  EXPECT_EQ(*this->store_->read_all(*key), data);
}

TYPED_TEST(BlobStoreContract, PutOfSameContentReturnsSameKey) {
  auto a = this->store_->put_bytes("文库 content");
  auto b = this->store_->put_bytes("文库 content");
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(*a, *b);
  EXPECT_EQ(*a, sha256_hex("文库 content"));
  int count = 0;
  ASSERT_TRUE(this->store_->for_each([&](const std::string&, int64_t) { ++count; }).ok());
  EXPECT_EQ(count, 1);
}

TYPED_TEST(BlobStoreContract, ReadsBackWhatWasPut) {
  std::string data(300000, 'x');
  data[12345] = 'y';
  auto key = this->store_->put_bytes(data);
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(*this->store_->read_all(*key), data);
  EXPECT_EQ(*this->store_->size(*key), data.size());
  std::string range;
  ASSERT_TRUE(this->store_->read_range(*key, 12340, 10, [&](std::string_view c) {
    range += c;
    return true;
  }).ok());
  EXPECT_EQ(range, "xxxxxyxxxx");
  EXPECT_TRUE(this->store_->verify(*key).ok());
}

TYPED_TEST(BlobStoreContract, PutFileMovesATemporaryFileIn) {
  auto tmp = this->dir_ / "upload.tmp";
  testing::write_file(tmp, "uploaded bytes");
  auto key = this->store_->put_file(tmp, sha256_hex("uploaded bytes"));
  ASSERT_TRUE(key.ok()) << key.error().message;
  EXPECT_FALSE(std::filesystem::exists(tmp));
  auto local = this->store_->local_path(*key, this->dir_.path());
  ASSERT_TRUE(local.ok());
  EXPECT_EQ(testing::read_file(*local), "uploaded bytes");
  EXPECT_TRUE(this->store_->exists(*key).value());
  // Putting the same content again is a no-op that still consumes the temporary file.
  testing::write_file(tmp, "uploaded bytes");
  ASSERT_TRUE(this->store_->put_file(tmp, *key).ok());
  EXPECT_FALSE(std::filesystem::exists(tmp));
}

TYPED_TEST(BlobStoreContract, ReadRangeStopsWhereAskedAndAtTheEnd) {
  std::string data;
  for (int i = 0; i < 100000; ++i) data += static_cast<char>('a' + i % 26);
  auto key = this->store_->put_bytes(data);
  ASSERT_TRUE(key.ok());
  auto read = [&](uint64_t off, uint64_t len) {
    std::string out;
    EXPECT_TRUE(this->store_->read_range(*key, off, len, [&](std::string_view c) {
      out += c;
      return true;
    }).ok());
    return out;
  };
  EXPECT_EQ(read(0, 5), "abcde");
  EXPECT_EQ(read(99998, 10), data.substr(99998));
  EXPECT_EQ(read(26 * 1000 + 3, 40000), data.substr(26 * 1000 + 3, 40000));
  // A sink that says stop ends the read without an error.
  size_t got = 0;
  EXPECT_TRUE(this->store_->read_range(*key, 0, data.size(), [&](std::string_view c) {
    got += c.size();
    return false;
  }).ok());
  EXPECT_GT(got, 0u);
  EXPECT_LE(got, data.size());
}

TYPED_TEST(BlobStoreContract, ListsEveryKeyOnce) {
  std::set<std::string> put;
  for (int i = 0; i < 7; ++i) put.insert(*this->store_->put_bytes("blob " + std::to_string(i)));
  std::multiset<std::string> seen;
  ASSERT_TRUE(this->store_->for_each([&](const std::string& k, int64_t mtime) {
    seen.insert(k);
    EXPECT_GT(mtime, 1600000000);
  }).ok());
  EXPECT_EQ(std::set<std::string>(seen.begin(), seen.end()), put);
  EXPECT_EQ(seen.size(), put.size());
  ASSERT_TRUE(this->store_->remove(*put.begin()).ok());
  EXPECT_EQ(this->store_->size(*put.begin()).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(this->store_->verify(*put.begin()).error().code, ErrorCode::kNotFound);
}

TYPED_TEST(BlobStoreContract, MissingAndMalformedKeysAreNotFound) {
  std::string missing(64, 'a');
  EXPECT_EQ(this->store_->read_all(missing).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(this->store_->read_all("../../etc/passwd").error().code, ErrorCode::kNotFound);
  EXPECT_FALSE(*this->store_->exists("../x"));
}

TYPED_TEST(BlobStoreContract, RemoveDeletesAndVerifyDetectsDamage) {
  auto key = this->store_->put_bytes("abc");
  ASSERT_TRUE(key.ok());
  TypeParam::damage(*this->store_, this->dir_.path(), *key, "abd");
  EXPECT_EQ(this->store_->verify(*key).error().code, ErrorCode::kCorrupt);
  ASSERT_TRUE(this->store_->remove(*key).ok());
  EXPECT_FALSE(*this->store_->exists(*key));
}

}  // namespace
}  // namespace wenku::blob
