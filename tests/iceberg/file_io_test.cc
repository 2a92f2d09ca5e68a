#include "tarn/iceberg/file_io.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

namespace tarn::iceberg {
namespace {

namespace fs = std::filesystem;

class LocalFileIOTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/tarn-fileio-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string dir_;
};

TEST_F(LocalFileIOTest, WritesCreatingParentsReadsAndNeverReplaces) {
  auto io = MakeLocalFileIO();
  std::string loc = dir_ + "/t/metadata/deep/00001.metadata.json";
  ASSERT_TRUE(io->Write(loc, "{\"a\": 1}").ok());
  EXPECT_EQ(io->Read(loc).value(), "{\"a\": 1}");
  Status again = io->Write(loc, "other");
  EXPECT_EQ(again.code(), ErrorCode::kAlreadyExists) << again.ToString();
  EXPECT_EQ(io->Read(loc).value(), "{\"a\": 1}");
  // No temporary files are left behind.
  EXPECT_EQ(io->List(dir_ + "/t").value(), std::vector<std::string>{loc});
}

TEST_F(LocalFileIOTest, ReadOfMissingFileIsNotFoundAndDeleteIsIdempotent) {
  auto io = MakeLocalFileIO();
  EXPECT_EQ(io->Read(dir_ + "/nope").status().code(), ErrorCode::kNotFound);
  ASSERT_TRUE(io->Write(dir_ + "/x", "1").ok());
  EXPECT_TRUE(io->Delete(dir_ + "/x").ok());
  EXPECT_TRUE(io->Delete(dir_ + "/x").ok());
  EXPECT_EQ(io->Read(dir_ + "/x").status().code(), ErrorCode::kNotFound);
}

TEST_F(LocalFileIOTest, ListsRecursivelyInOrderAndEmptyForMissingDirectory) {
  auto io = MakeLocalFileIO();
  ASSERT_TRUE(io->Write(dir_ + "/d/b/2", "").ok());
  ASSERT_TRUE(io->Write(dir_ + "/d/a", "").ok());
  ASSERT_TRUE(io->Write(dir_ + "/d/b/1", "").ok());
  EXPECT_EQ(io->List(dir_ + "/d/").value(),
            (std::vector<std::string>{dir_ + "/d/a", dir_ + "/d/b/1", dir_ + "/d/b/2"}));
  EXPECT_TRUE(io->List(dir_ + "/none").value().empty());
}

TEST_F(LocalFileIOTest, AcceptsFileUris) {
  auto io = MakeLocalFileIO();
  ASSERT_TRUE(io->Write("file://" + dir_ + "/u", "x").ok());
  EXPECT_EQ(io->Read("file:" + dir_ + "/u").value(), "x");
  EXPECT_EQ(io->LocalPath("file:///a/b"), "/a/b");
  EXPECT_EQ(io->LocalPath("file:/a/b"), "/a/b");
}

TEST_F(LocalFileIOTest, RemapsThePrefixOnly) {
  auto io = MakeLocalFileIO("s3://warehouse/db/t/", dir_);
  EXPECT_EQ(io->LocalPath("s3://warehouse/db/t/data/f.parquet"), dir_ + "/data/f.parquet");
  EXPECT_EQ(io->LocalPath("s3://warehouse/db/t"), dir_);
  EXPECT_EQ(io->LocalPath("s3://warehouse/db/t2/x"), "s3://warehouse/db/t2/x");
  EXPECT_EQ(io->LocalPath("/abs/x"), "/abs/x");
  ASSERT_TRUE(io->Write("s3://warehouse/db/t/metadata/v1.json", "m").ok());
  EXPECT_EQ(io->Read(dir_ + "/metadata/v1.json").value(), "m");
  EXPECT_EQ(io->List("s3://warehouse/db/t/metadata").value(),
            std::vector<std::string>{"s3://warehouse/db/t/metadata/v1.json"});

  auto relative = MakeLocalFileIO("data/warehouse/t", dir_);
  EXPECT_EQ(relative->LocalPath("data/warehouse/t/data/x"), dir_ + "/data/x");
}

}  // namespace
}  // namespace tarn::iceberg
