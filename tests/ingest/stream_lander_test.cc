// StreamLander on a real lake (SQLite catalog, local object store): batches land once with
// their positions, rejects are dead-lettered, late events go to late files, records at or below
// the stored position are skipped, a stale batch is refused, and dropped records block a
// partition until it is sought back.
#include "tarn/ingest/stream_lander.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "catalog/store_fixture.h"
#include "tarn/format/avro_reader.h"
#include "tarn/lake/lake.h"

namespace tarn::ingest {
namespace {

constexpr const char* kSchema = R"({"type": "record", "name": "Click", "fields": [
  {"name": "event_id", "type": "string"},
  {"name": "event_ts", "type": "string"}]})";

std::string Click(int i, const std::string& ts) {
  return R"({"event_id": "e)" + std::to_string(i) + R"(", "event_ts": ")" + ts + "\"}";
}

class StreamLanderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::MakeTempDir();
    lake_ = std::move(lake::Lake::Open({dir_ + "/lake", ""}).value());
    auto& cat = lake_->catalog();
    auto src = cat.CreateSource({"clicks-src", "streaming", "{}", "web"});
    ASSERT_TRUE(src.ok()) << src.status().ToString();
    dataset_ = cat.UpsertDataset({src->id, "clicks", "raw", "web", 1})->dataset.id;
    ASSERT_TRUE(cat.RegisterSchema(dataset_, kSchema, true).ok());
  }
  void TearDown() override {
    lake_.reset();
    std::filesystem::remove_all(dir_);
  }

  std::unique_ptr<StreamLander> Open(int64_t lateness_us = 0) {
    StreamLanderOptions options;
    options.event_time = EventTimeOptions{"event_ts", lateness_us};
    auto lander = StreamLander::Open(lake_->catalog(), **lake_->objects(), dataset_, "clicks", options);
    EXPECT_TRUE(lander.ok()) << lander.status().ToString();
    return std::move(lander).value();
  }

  int64_t RawRows() {
    catalog::PartitionQuery q;
    q.dataset_id = dataset_;
    int64_t rows = 0;
    for (const auto& p : lake_->catalog().store().ListPartitions(q)->partitions) rows += p.row_count;
    return rows;
  }

  std::string dir_, dataset_;
  std::unique_ptr<lake::Lake> lake_;
};

TEST_F(StreamLanderTest, LandsABatchWithItsPositionsAndDeadLetters) {
  auto lander = Open();
  lander->Reset(0, std::nullopt);
  lander->Reset(1, std::nullopt);
  ASSERT_TRUE(lander->Add(0, 0, Click(0, "2024-05-01T00:00:00Z")).ok());
  ASSERT_TRUE(lander->Add(0, 1, "{not json").ok());
  ASSERT_TRUE(lander->Add(1, 7, Click(1, "2024-05-01T00:05:00Z")).ok());
  ASSERT_TRUE(lander->Add(1, 8, R"({"event_id": "e2"})").ok());
  EXPECT_EQ(lander->pending_records(), 4u);
  auto landed = lander->Flush();
  ASSERT_TRUE(landed.ok()) << landed.status().ToString();
  EXPECT_EQ(landed->records, 2);
  EXPECT_EQ(landed->rejected, 2);
  ASSERT_EQ(landed->files.size(), 2u);
  EXPECT_EQ(landed->files[1].first_offset, 7);
  EXPECT_EQ(landed->files[1].last_offset, 8);
  EXPECT_EQ(RawRows(), 2);
  auto positions = lander->StoredPositions();
  ASSERT_TRUE(positions.ok());
  EXPECT_EQ((*positions)[0], 2);
  EXPECT_EQ((*positions)[1], 9);
  auto run = lake_->catalog().store().GetIngestRun(landed->run_id);
  ASSERT_TRUE(run.ok());
  ASSERT_TRUE(run->deadletter_path.has_value());
  EXPECT_TRUE(std::filesystem::exists(dir_ + "/lake/" + *run->deadletter_path));
  EXPECT_EQ(lander->Flush()->records, 0);  // nothing pending: nothing committed
}

TEST_F(StreamLanderTest, EventsBehindTheWatermarkGoToALateFile) {
  auto lander = Open(10 * 60'000'000);
  lander->Reset(0, std::nullopt);
  ASSERT_TRUE(lander->Add(0, 0, Click(0, "2024-05-01T01:00:00Z")).ok());
  ASSERT_TRUE(lander->Flush().ok());
  EXPECT_EQ(FormatIsoTimestamp(*lander->watermark()), "2024-05-01T00:50:00.000000Z");
  ASSERT_TRUE(lander->Add(0, 1, Click(1, "2024-05-01T00:55:00Z")).ok());  // within lateness
  ASSERT_TRUE(lander->Add(0, 2, Click(2, "2024-05-01T00:10:00Z")).ok());  // late
  auto landed = lander->Flush();
  ASSERT_TRUE(landed.ok()) << landed.status().ToString();
  EXPECT_EQ(landed->late, 1);
  ASSERT_EQ(landed->files.size(), 2u);
  EXPECT_FALSE(landed->files[0].late);
  EXPECT_TRUE(landed->files[1].late);
  EXPECT_EQ(landed->files[1].records, 1);
  auto late = lake_->catalog().store().ListUnreconciledLateBatches(dataset_);
  ASSERT_EQ(late->size(), 1u);
  auto wm = lake_->catalog().store().GetWatermark(dataset_);
  EXPECT_EQ((*wm)->late_events, 1);
  EXPECT_EQ((*wm)->events, 3);
}

TEST_F(StreamLanderTest, SkipsLandedOffsetsAndRefusesAStaleBatch) {
  auto a = Open(), b = Open();
  a->Reset(0, std::nullopt);
  b->Reset(0, std::nullopt);
  ASSERT_TRUE(a->Add(0, 0, Click(0, "2024-05-01T00:00:00Z")).ok());
  ASSERT_TRUE(b->Add(0, 0, Click(0, "2024-05-01T00:00:00Z")).ok());
  ASSERT_TRUE(a->Flush().ok());
  auto stale = b->Flush();
  EXPECT_EQ(stale.status().code(), ErrorCode::kConflict) << stale.status().ToString();
  EXPECT_EQ(RawRows(), 1);
  // b must seek back before it takes records again; then offsets already landed are skipped.
  EXPECT_EQ(b->Add(0, 1, Click(1, "2024-05-01T00:00:01Z")).code(), ErrorCode::kFailedPrecondition);
  b->Reset(0, b->StoredPositions()->at(0));
  ASSERT_TRUE(b->Add(0, 0, Click(0, "2024-05-01T00:00:00Z")).ok());
  EXPECT_EQ(b->pending_records(), 0u);
  ASSERT_TRUE(b->Add(0, 1, Click(1, "2024-05-01T00:00:01Z")).ok());
  ASSERT_TRUE(b->Flush().ok());
  EXPECT_EQ(RawRows(), 2);
}

TEST_F(StreamLanderTest, RefusesADatasetWithoutSchemaOrEventTimeField) {
  auto& cat = lake_->catalog();
  auto src = cat.CreateSource({"other-src", "streaming", "{}", "web"});
  auto bare = cat.UpsertDataset({src->id, "bare", "raw", "web", 1})->dataset.id;
  auto none = StreamLander::Open(cat, **lake_->objects(), bare, "t", {});
  EXPECT_EQ(none.status().code(), ErrorCode::kFailedPrecondition);
  StreamLanderOptions options;
  options.event_time = EventTimeOptions{"no_such_field", 0};
  auto missing = StreamLander::Open(cat, **lake_->objects(), dataset_, "t", options);
  EXPECT_EQ(missing.status().code(), ErrorCode::kFailedPrecondition);
  EXPECT_NE(missing.status().message().find("no_such_field"), std::string::npos);
}

}  // namespace
}  // namespace tarn::ingest
