// The streaming part of the CatalogStore contract (positions, batches, watermarks, windows), on
// SQLite and PostgreSQL alike.
#include "catalog/store_fixture.h"
#include "tarn/base/ids.h"
#include "tarn/catalog/catalog_store.h"

namespace tarn::catalog {
namespace {

constexpr UnixMicros kT0 = 1714521600000000;  // 2024-05-01T00:00:00Z
constexpr int64_t kMinute = 60'000'000;

class StreamStoreTest : public testing::BackendTest {
 protected:
  void SetUp() override {
    BackendTest::SetUp();
    auto opened = CatalogStore::Open(url_);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    store_ = std::move(opened).value();
    auto src = store_->CreateSource({"", "clicks-src", SourceType::kStreaming, "{}", "web", 0});
    ASSERT_TRUE(src.ok()) << src.status().ToString();
    Dataset d;
    d.source_id = src->id;
    d.name = "clicks";
    d.owner = "web";
    auto up = store_->UpsertDataset(d);
    ASSERT_TRUE(up.ok()) << up.status().ToString();
    dataset_ = up->dataset.id;
  }

  // A landing of one file of partition `p` holding offsets [first, last].
  StreamLanding Landing(int32_t p, std::optional<int64_t> expected, int64_t first, int64_t last,
                        bool late = false, std::optional<UnixMicros> max_event = std::nullopt) {
    StreamLanding l;
    l.run.id = NewUuid();
    l.run.dataset_id = dataset_;
    l.run.window_key = "clicks@" + std::to_string(p) + ":" + std::to_string(first);
    l.run.window_description = "test";
    l.run.records_accepted = last - first + 1;
    l.run.files_written = 1;
    l.run.started_at = kT0;
    std::string key = "raw/clicks/dt=2024-05-01/hour=00/clicks-" + std::to_string(p) + "-" +
                      std::to_string(first) + "-" + std::to_string(last) + (late ? "-late" : "") + ".avro";
    l.partitions.push_back({"dt=2024-05-01/hour=00", key, FileFormat::kAvro, last - first + 1, 1000, {}});
    StreamBatch b;
    b.stream = "clicks";
    b.partition = p;
    b.first_offset = first;
    b.last_offset = last;
    b.records = last - first + 1;
    b.late = late;
    b.min_event_time = max_event ? std::optional<UnixMicros>(*max_event - kMinute) : std::nullopt;
    b.max_event_time = max_event;
    l.batches.push_back(b);
    l.advances.push_back({"clicks", p, expected, last + 1});
    if (max_event) {
      StreamWatermark wm;
      wm.dataset_id = dataset_;
      wm.min_event_time = *max_event - kMinute;
      wm.max_event_time = max_event;
      wm.watermark = *max_event - 10 * kMinute;
      wm.allowed_lateness_us = 10 * kMinute;
      wm.events = b.records;
      wm.late_events = late ? b.records : 0;
      l.watermark = wm;
    }
    return l;
  }

  int64_t PartitionCount() {
    PartitionQuery q;
    q.dataset_id = dataset_;
    auto page = store_->ListPartitions(q);
    EXPECT_TRUE(page.ok()) << page.status().ToString();
    return static_cast<int64_t>(page->partitions.size());
  }

  std::unique_ptr<CatalogStore> store_;
  std::string dataset_;
};

TEST_P(StreamStoreTest, LandingMovesPositionsWithTheFilesInOneTransaction) {
  auto first = store_->CompleteStreamLanding(Landing(0, std::nullopt, 0, 99));
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  ASSERT_EQ(first->size(), 1u);
  EXPECT_TRUE(IsUuid((*first)[0].id));
  EXPECT_FALSE((*first)[0].partition_id.empty());
  auto second = store_->CompleteStreamLanding(Landing(0, 100, 100, 149));
  ASSERT_TRUE(second.ok()) << second.status().ToString();

  auto positions = store_->ListStreamPositions(dataset_);
  ASSERT_TRUE(positions.ok()) << positions.status().ToString();
  ASSERT_EQ(positions->size(), 1u);
  EXPECT_EQ((*positions)[0].stream, "clicks");
  EXPECT_EQ((*positions)[0].next_offset, 150);
  EXPECT_EQ(PartitionCount(), 2);
  auto run = store_->GetIngestRun((*second)[0].ingest_run_id);
  ASSERT_TRUE(run.ok()) << run.status().ToString();
  EXPECT_EQ(run->status, IngestStatus::kSucceeded);
  EXPECT_EQ(run->records_accepted, 50);
}

TEST_P(StreamStoreTest, ALandingFromAStalePositionIsRefusedAndLeavesNothing) {
  ASSERT_TRUE(store_->CompleteStreamLanding(Landing(1, std::nullopt, 0, 99)).ok());
  // Another member landed [0, 99] meanwhile; this one also began at none, or at 0.
  for (std::optional<int64_t> stale : {std::optional<int64_t>(), std::optional<int64_t>(0)}) {
    auto again = store_->CompleteStreamLanding(Landing(1, stale, 0, 120));
    EXPECT_EQ(again.status().code(), ErrorCode::kConflict) << again.status().ToString();
  }
  EXPECT_EQ(PartitionCount(), 1);
  auto positions = store_->ListStreamPositions(dataset_);
  ASSERT_TRUE(positions.ok());
  EXPECT_EQ((*positions)[0].next_offset, 100);
}

TEST_P(StreamStoreTest, WatermarkOnlyMovesForwardAndCountsAddUp) {
  ASSERT_TRUE(store_->CompleteStreamLanding(Landing(0, std::nullopt, 0, 9, false, kT0 + 60 * kMinute)).ok());
  ASSERT_TRUE(store_->CompleteStreamLanding(Landing(0, 10, 10, 14, true, kT0 + 5 * kMinute)).ok());
  auto wm = store_->GetWatermark(dataset_);
  ASSERT_TRUE(wm.ok()) << wm.status().ToString();
  ASSERT_TRUE(wm->has_value());
  EXPECT_EQ((*wm)->max_event_time, kT0 + 60 * kMinute);
  EXPECT_EQ((*wm)->min_event_time, kT0 + 4 * kMinute);
  EXPECT_EQ((*wm)->watermark, kT0 + 50 * kMinute);
  EXPECT_EQ((*wm)->events, 15);
  EXPECT_EQ((*wm)->late_events, 5);

  auto late = store_->ListUnreconciledLateBatches(dataset_);
  ASSERT_TRUE(late.ok()) << late.status().ToString();
  ASSERT_EQ(late->size(), 1u);
  EXPECT_TRUE((*late)[0].late);
  EXPECT_EQ((*late)[0].first_offset, 10);
  ASSERT_TRUE(store_->MarkBatchesReconciled({(*late)[0].id}).ok());
  EXPECT_TRUE(store_->ListUnreconciledLateBatches(dataset_)->empty());
  EXPECT_EQ(store_->MarkBatchesReconciled({NewUuid()}).code(), ErrorCode::kNotFound);
}

TEST_P(StreamStoreTest, WindowPublicationOnlyMovesForward) {
  EXPECT_FALSE(store_->GetWindowPublished(dataset_, "hourly")->has_value());
  ASSERT_TRUE(store_->SetWindowPublished(dataset_, "hourly", kT0 + 120 * kMinute).ok());
  ASSERT_TRUE(store_->SetWindowPublished(dataset_, "hourly", kT0 + 60 * kMinute).ok());
  EXPECT_EQ(*store_->GetWindowPublished(dataset_, "hourly").value(), kT0 + 120 * kMinute);
  EXPECT_FALSE(store_->GetWindowPublished(dataset_, "daily")->has_value());
}

INSTANTIATE_TEST_SUITE_P(Backends, StreamStoreTest, ::testing::Values("sqlite", "postgres"),
                         testing::BackendName);

}  // namespace
}  // namespace tarn::catalog
