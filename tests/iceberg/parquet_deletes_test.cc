// Position-delete files written through DuckDB, the bucket SQL functions registered on every
// DuckDb, and Iceberg's truncated string bounds.
#include <gtest/gtest.h>

#include <filesystem>

#include "iceberg/parquet_test_util.h"
#include "tarn/engine/parquet_metrics.h"
#include "tarn/engine/parquet_writer.h"
#include "tarn/iceberg/transforms.h"

namespace tarn::engine::testing {
namespace {

namespace fs = std::filesystem;
using iceberg::DataFile;
using iceberg::Literal;
using iceberg::Transform;

const iceberg::PartitionSpec kSpec{
    0, {{2, 1000, "ts_day", {Transform::kDay}}, {3, 1001, "country", {Transform::kIdentity}}}};
const std::vector<Literal> kTuple{Literal::Date(19737), Literal::String("US")};
const std::string kFileA = std::string(kPrefix) + "ts_day=2024-01-15/country=US/a-00000.parquet";
const std::string kFileB = std::string(kPrefix) + "ts_day=2024-01-15/country=US/b-00001.parquet";

using ParquetDeletesTest = ParquetTest;

TEST_F(ParquetDeletesTest, SortedWithReservedIdsAndFullPathBounds) {
  auto file =
      WritePositionDeletes(*db_,
                           "SELECT CASE WHEN i % 2 = 0 THEN '" + kFileB + "' ELSE '" + kFileA +
                               "' END AS file_path, 1000 - i AS pos FROM range(500) r(i)",
                           kSpec, kTuple, data_dir_, kPrefix, {});
  ASSERT_TRUE(file.ok()) << file.status().ToString();
  EXPECT_EQ(file->content, iceberg::FileContent::kPositionDeletes);
  EXPECT_EQ(file->record_count, 500);
  EXPECT_EQ(file->partition, kTuple);
  EXPECT_EQ(file->file_path.rfind(std::string(kPrefix) + "ts_day=2024-01-15/country=US/", 0), 0u)
      << file->file_path;
  auto ids = FieldIds(*file);
  EXPECT_EQ(ids.find("file_path")->second, kDeleteFilePathFieldId);
  EXPECT_EQ(ids.find("pos")->second, kDeletePosFieldId);
  // Bounds on file_path are whole locations, longer than the 16 characters of data files.
  EXPECT_EQ(file->lower_bounds.at(kDeleteFilePathFieldId), kFileA);
  EXPECT_EQ(file->upper_bounds.at(kDeleteFilePathFieldId), kFileB);
  EXPECT_EQ(iceberg::FromBinary(Literal::Long(0).type, file->lower_bounds.at(kDeletePosFieldId))->i,
            501);

  std::vector<std::pair<std::string, int64_t>> read;
  for (const Row& r : Rows("SELECT file_path, CAST(pos AS VARCHAR) FROM " + ReadParquet(*file))) {
    read.emplace_back(*r[0], std::stoll(*r[1]));
  }
  ASSERT_EQ(read.size(), 500u);
  EXPECT_TRUE(std::is_sorted(read.begin(), read.end())) << "sorted by file_path, then pos";
  EXPECT_EQ(read.front(), std::make_pair(kFileA, int64_t{501}));
}

TEST_F(ParquetDeletesTest, InMemoryDeletesForOneLongLocation) {
  // Longer than the 256 bytes DuckDB keeps of a string statistic.
  std::string long_path = std::string(kPrefix) + std::string(300, 'x') + ".parquet";
  auto file = WritePositionDeletes(*db_, {{long_path, 7}, {long_path, 3}, {long_path, 5}}, kSpec,
                                   kTuple, data_dir_, kPrefix, {});
  ASSERT_TRUE(file.ok()) << file.status().ToString();
  EXPECT_EQ(file->record_count, 3);
  EXPECT_EQ(file->lower_bounds.at(kDeleteFilePathFieldId), long_path);
  EXPECT_EQ(file->upper_bounds.at(kDeleteFilePathFieldId), long_path);
  EXPECT_EQ(One("SELECT string_agg(CAST(pos AS VARCHAR), ',') FROM " + ReadParquet(*file)),
            "3,5,7");
}

TEST_F(ParquetDeletesTest, RejectsBadInput) {
  auto write = [&](const std::string& sql, const std::vector<Literal>& tuple = kTuple) {
    return WritePositionDeletes(*db_, sql, kSpec, tuple, data_dir_, kPrefix, {}).status();
  };
  EXPECT_EQ(write("SELECT 'x' AS file_path").code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(write("SELECT 'x' AS file_path, 1 AS pos, 2 AS row").code(),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(write("SELECT 'x' AS file_path, NULL AS pos").code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(write("SELECT 'x' AS file_path, 1 AS pos WHERE false").code(),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(write("SELECT 'x' AS file_path, 1 AS pos", {kTuple[0]}).code(),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(WritePositionDeletes(*db_, std::vector<std::pair<std::string, int64_t>>{}, kSpec,
                                 kTuple, data_dir_, kPrefix, {})
                .status()
                .code(),
            ErrorCode::kInvalidArgument);
  EXPECT_TRUE(!fs::exists(data_dir_) || fs::is_empty(data_dir_));
}

TEST_F(ParquetDeletesTest, BucketFunctionsAreIcebergApply) {
  auto bucket = [](int n, const Literal& v) {
    return iceberg::Apply({Transform::kBucket, n}, v)->i;
  };
  EXPECT_EQ(One("SELECT CAST(tarn_iceberg_bucket(CAST(34 AS BIGINT), 16) AS VARCHAR)"),
            std::to_string(bucket(16, Literal::Long(34))));
  EXPECT_EQ(One("SELECT CAST(tarn_iceberg_bucket(encode('iceberg'), 100) AS VARCHAR)"),
            std::to_string(bucket(100, Literal::String("iceberg"))));
  EXPECT_EQ(One("SELECT CAST(tarn_iceberg_bucket_decimal('14.20', 7) AS VARCHAR)"),
            std::to_string(bucket(7, *Literal::Decimal("14.20", 9, 2))));
  EXPECT_EQ(One("SELECT CAST(tarn_iceberg_bucket_decimal('-0.01', 7) AS VARCHAR)"),
            std::to_string(bucket(7, *Literal::Decimal("-0.01", 9, 2))));
  EXPECT_EQ(One("SELECT coalesce(CAST(tarn_iceberg_bucket(NULL::BIGINT, 4) AS VARCHAR), 'null')"),
            "null");
  Status zero = db_->Query("SELECT CAST(tarn_iceberg_bucket(1::BIGINT, 0) AS VARCHAR)", {},
                           [](const Row&) { return Status::OK(); });
  EXPECT_EQ(zero.code(), ErrorCode::kInvalidArgument);
}

TEST(StringBoundsTest, TruncatesToCodePointsAndIncrementsTheLast) {
  using parquet_metrics::TruncateLowerBound;
  using parquet_metrics::TruncateUpperBound;
  EXPECT_EQ(TruncateLowerBound("abcdef", 3), "abc");
  EXPECT_EQ(TruncateUpperBound("abcdef", 3), "abd");
  EXPECT_EQ(TruncateUpperBound("abc", 3), "abc");
  EXPECT_EQ(TruncateLowerBound("éüñx", 2), "éü");
  EXPECT_EQ(TruncateUpperBound("éüñx", 2), "éý");
  EXPECT_EQ(TruncateUpperBound("a\U0010FFFF\U0010FFFFz", 3), "b");
  EXPECT_EQ(TruncateUpperBound("\U0010FFFF\U0010FFFF", 1), std::nullopt);
  EXPECT_EQ(TruncateUpperBound("a\uD7FFz", 2), "a\uE000");
  EXPECT_EQ(TruncateUpperBound("a\x7Fz", 2), "a\u0080");
}

}  // namespace
}  // namespace tarn::engine::testing
