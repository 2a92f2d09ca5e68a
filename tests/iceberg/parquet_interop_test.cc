// What the Parquet writer produces fits the rest of the module: its DataFiles survive a
// manifest round trip under the spec they were written with, and the reader (IcebergScanSql,
// matching columns by field id) reads its data files with its position deletes applied.
#include <gtest/gtest.h>

#include "iceberg/parquet_test_util.h"
#include "tarn/engine/iceberg_read.h"
#include "tarn/engine/parquet_writer.h"
#include "tarn/iceberg/file_io.h"
#include "tarn/iceberg/manifest.h"
#include "tarn/iceberg/scan.h"

namespace tarn::engine::testing {
namespace {

using iceberg::DataFile;
using iceberg::Transform;

class ParquetInteropTest : public ParquetTest {
 protected:
  void SetUp() override {
    ParquetTest::SetUp();
    schema_ = MakeSchema(R"json({"type": "struct", "fields": [
      {"id": 1, "name": "id", "required": true, "type": "long"},
      {"id": 2, "name": "day", "required": false, "type": "date"},
      {"id": 3, "name": "label", "required": false, "type": "string"},
      {"id": 4, "name": "price", "required": false, "type": "decimal(10,2)"}]})json");
    spec_ = {3,
             {{2, 1000, "day", {Transform::kIdentity}},
              {3, 1001, "label_bucket", {Transform::kBucket, 3}},
              {4, 1002, "price_trunc", {Transform::kTruncate, 500}}}};
    auto files =
        WriteDataFiles(*db_,
                       "SELECT i AS id, DATE '2024-03-01' + CAST(i % 2 AS INTEGER) AS day, "
                       "'label-' || (i % 10) AS label, CAST(i % 20 AS DECIMAL(10,2)) AS "
                       "price FROM range(1000) r(i)",
                       schema_, spec_, data_dir_, kPrefix, {});
    ASSERT_TRUE(files.ok()) << files.status().ToString();
    files_ = *files;
  }

  schema::Schema schema_;
  iceberg::PartitionSpec spec_;
  std::vector<DataFile> files_;
};

TEST_F(ParquetInteropTest, DataFilesSurviveAManifestRoundTrip) {
  std::vector<iceberg::ManifestEntry> entries;
  for (const DataFile& f : files_) entries.push_back({iceberg::EntryStatus::kAdded, 7, 1, 1, f});
  iceberg::ManifestContext ctx{&schema_, 0, &spec_, iceberg::FileContent::kData};
  auto encoded = iceberg::EncodeManifest(ctx, entries, "s3://warehouse/db/t/metadata/m.avro", 7, 1);
  ASSERT_TRUE(encoded.ok()) << encoded.status().ToString();
  auto decoded = iceberg::DecodeManifest(encoded->first, encoded->second, spec_, schema_);
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  ASSERT_EQ(decoded->size(), files_.size());
  for (size_t i = 0; i < files_.size(); ++i) {
    const DataFile& got = (*decoded)[i].data_file;
    EXPECT_EQ(got.file_path, files_[i].file_path);
    EXPECT_EQ(got.partition, files_[i].partition);
    EXPECT_EQ(got.record_count, files_[i].record_count);
    EXPECT_EQ(got.lower_bounds, files_[i].lower_bounds);
    EXPECT_EQ(got.upper_bounds, files_[i].upper_bounds);
    EXPECT_EQ(got.split_offsets, files_[i].split_offsets);
  }
}

TEST_F(ParquetInteropTest, ReaderAppliesPositionDeletesToWrittenFiles) {
  const DataFile& target = files_[0];
  auto deletes =
      WritePositionDeletes(*db_,
                           "SELECT '" + target.file_path + "' AS file_path, i AS pos FROM range(" +
                               std::to_string(target.record_count / 2) + ") r(i)",
                           spec_, target.partition, data_dir_, kPrefix, {});
  ASSERT_TRUE(deletes.ok()) << deletes.status().ToString();

  iceberg::ScanPlan plan;
  plan.snapshot_id = 1;
  for (const DataFile& f : files_) {
    iceberg::FileScanTask task{f, spec_.spec_id, 1, {}};
    if (f.file_path == target.file_path) task.deletes.push_back(*deletes);
    plan.tasks.push_back(task);
  }
  auto io = iceberg::MakeLocalFileIO(kPrefix, data_dir_);
  auto sql = IcebergScanSql(plan, schema_, *io);
  ASSERT_TRUE(sql.ok()) << sql.status().ToString();
  EXPECT_EQ(One("SELECT CAST(count(*) AS VARCHAR) FROM (" + *sql + ")"),
            std::to_string(1000 - target.record_count / 2));
  // Columns read by field id: none comes back NULL.
  EXPECT_EQ(One("SELECT CAST(count(*) * 3 - count(day) - count(label) - count(price) AS VARCHAR) "
                "FROM (" +
                *sql + ")"),
            "0");
}

}  // namespace
}  // namespace tarn::engine::testing
