#include "tarn/storage/object_store.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "catalog/store_fixture.h"

namespace tarn::storage {
namespace {

class LocalObjectStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = testing::MakeTempDir();
    store_ = std::move(MakeLocalObjectStore(root_).value());
  }
  void TearDown() override { std::filesystem::remove_all(root_); }

  std::string Stage(const std::string& name, const std::string& content) {
    std::string path = store_->staging_dir() + "/" + name;
    std::ofstream(path) << content;
    return path;
  }

  std::string root_;
  std::unique_ptr<ObjectStore> store_;
};

TEST_F(LocalObjectStoreTest, PublishesStagedFilesUnderNewDirectories) {
  std::string staged = Stage("a", "hello avro");
  ASSERT_TRUE(store_->PublishFile(staged, "raw/ev/dt=2024-01-15/hour=03/a.avro").ok());
  EXPECT_FALSE(std::filesystem::exists(staged));
  EXPECT_EQ(*store_->Get("raw/ev/dt=2024-01-15/hour=03/a.avro"), "hello avro");
  EXPECT_EQ(*store_->GetRange("raw/ev/dt=2024-01-15/hour=03/a.avro", 6, 100), "avro");
  EXPECT_EQ((*store_->Stat("raw/ev/dt=2024-01-15/hour=03/a.avro"))->size, 10);
  EXPECT_FALSE(store_->Stat("raw/ev/missing.avro")->has_value());
  EXPECT_EQ(store_->Get("raw/ev/missing.avro").status().code(), ErrorCode::kNotFound);
}

TEST_F(LocalObjectStoreTest, ObjectsAreNeverReplaced) {
  ASSERT_TRUE(store_->Put("raw/ev/a.avro", "first").ok());
  std::string staged = Stage("b", "second");
  EXPECT_EQ(store_->PublishFile(staged, "raw/ev/a.avro").code(), ErrorCode::kAlreadyExists);
  EXPECT_TRUE(std::filesystem::exists(staged));  // left for the caller
  EXPECT_EQ(store_->Put("raw/ev/a.avro", "third").code(), ErrorCode::kAlreadyExists);
  EXPECT_EQ(*store_->Get("raw/ev/a.avro"), "first");
}

TEST_F(LocalObjectStoreTest, ListsByPrefixInKeyOrderAndHidesControlFiles) {
  for (const char* k : {"raw/ev/dt=2024-01-16/b.avro", "raw/ev/dt=2024-01-15/a.avro",
                        "raw/other/x.avro", "raw/ev2/y.avro"}) {
    ASSERT_TRUE(store_->Put(k, "x").ok());
  }
  auto all = *store_->List("raw/ev/");
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].key, "raw/ev/dt=2024-01-15/a.avro");
  EXPECT_EQ(store_->List("raw/ev")->size(), 3u);  // a plain prefix, not a directory
  EXPECT_EQ(store_->List("")->size(), 4u);        // staging files are not objects
  EXPECT_TRUE(store_->List("nothing/")->empty());
}

TEST_F(LocalObjectStoreTest, RejectsKeysThatEscapeTheRoot) {
  for (const char* bad : {"", "/etc/passwd", "raw/../../x", "raw//x", "raw/./x", "raw/"}) {
    EXPECT_EQ(store_->Put(bad, "x").code(), ErrorCode::kInvalidArgument) << bad;
  }
}

}  // namespace
}  // namespace tarn::storage
