// Contract of BlobStore, run against every implementation.
#include <gtest/gtest.h>

#include "blob/blob_store.h"
#include "core/hash.h"
#include "support/test_support.h"

namespace wenku::blob {
namespace {

struct FileBackend {
  static std::string url(const std::filesystem::path& dir) { return "file://" + (dir / "blobs").string(); }
};

template <typename Backend>
class BlobStoreContract : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = open_blob_store(Backend::url(dir_.path()));
    ASSERT_TRUE(s.ok()) << s.error().message;
    store_ = std::move(s).value();
  }
  testing::TempDir dir_;
  std::unique_ptr<BlobStore> store_;
};

using Backends = ::testing::Types<FileBackend>;
TYPED_TEST_SUITE(BlobStoreContract, Backends);

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
  auto local = this->store_->local_path(*key, this->dir_.path());
  ASSERT_TRUE(local.ok());
  testing::write_file(*local, "abd");
  EXPECT_EQ(this->store_->verify(*key).error().code, ErrorCode::kCorrupt);
  ASSERT_TRUE(this->store_->remove(*key).ok());
  EXPECT_FALSE(*this->store_->exists(*key));
}

}  // namespace
}  // namespace wenku::blob
