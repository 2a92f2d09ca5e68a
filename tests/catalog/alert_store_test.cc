// The alert_deliveries part of the CatalogStore contract, on SQLite and PostgreSQL alike.
#include <algorithm>
#include <set>

#include "catalog/store_fixture.h"
#include "tarn/base/ids.h"
#include "tarn/catalog/catalog_store.h"

namespace tarn::catalog {
namespace {

constexpr UnixMicros kT0 = 1705287600000000;  // 2024-01-15T03:00:00Z

class AlertStoreTest : public testing::BackendTest {
 protected:
  void SetUp() override {
    BackendTest::SetUp();
    auto opened = CatalogStore::Open(url_);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    store_ = std::move(opened).value();
    auto src = store_->CreateSource({"", "events-src", SourceType::kBatch, "{}", "eng", 0});
    ASSERT_TRUE(src.ok()) << src.status().ToString();
    dataset_ = NewDataset(src->id, "events");
    other_ = NewDataset(src->id, "other");
    auto part = store_->RegisterPartitions(
        dataset_, {{"dt=2024-01-15", "raw/events/a.avro", FileFormat::kAvro, 10, 100, {}}});
    ASSERT_TRUE(part.ok()) << part.status().ToString();
    partition_ = (*part)[0].partition.id;
  }

  std::string NewDataset(const std::string& source_id, const std::string& name) {
    Dataset d;
    d.source_id = source_id;
    d.name = name;
    d.owner = "eng";
    auto up = store_->UpsertDataset(d);
    EXPECT_TRUE(up.ok()) << up.status().ToString();
    return up->dataset.id;
  }

  AlertDelivery Delivery(UnixMicros at, const std::string& dataset_id) {
    AlertDelivery d;
    d.dataset_id = dataset_id;
    d.kind = "quarantine";
    d.severity = "block";
    d.destination = "https://hooks.example.com/services/T1/B2/***";
    d.format = "slack";
    d.payload = R"({"text":"b","a":1})";
    d.status = AlertDeliveryStatus::kDelivered;
    d.attempts = 1;
    d.http_status = 200;
    d.created_at = at;
    d.finished_at = at + 1500;
    return d;
  }

  std::unique_ptr<CatalogStore> store_;
  std::string dataset_, other_, partition_;
};

TEST_P(AlertStoreTest, RecordsAndReadsBackEveryField) {
  AlertDelivery in = Delivery(kT0 + 123456, dataset_);
  in.partition_id = partition_;
  in.kind = "anomaly_block";
  in.severity = "critical";
  in.format = "pagerduty";
  in.status = AlertDeliveryStatus::kFailed;
  in.attempts = 4;
  in.http_status = 503;
  in.last_error = "HTTP 503: upstream down";
  auto rec = store_->RecordAlertDelivery(in);
  ASSERT_TRUE(rec.ok()) << rec.status().ToString();
  EXPECT_TRUE(IsUuid(rec->id));

  auto page = store_->ListAlertDeliveries({dataset_, std::nullopt, 10});
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  ASSERT_EQ(page->deliveries.size(), 1u);
  EXPECT_FALSE(page->has_more);
  const AlertDelivery& got = page->deliveries[0];
  EXPECT_EQ(got.id, rec->id);
  EXPECT_EQ(got.dataset_id, dataset_);
  EXPECT_EQ(got.partition_id, partition_);
  EXPECT_EQ(got.kind, "anomaly_block");
  EXPECT_EQ(got.severity, "critical");
  EXPECT_EQ(got.destination, in.destination);
  EXPECT_EQ(got.format, "pagerduty");
  EXPECT_EQ(got.payload, in.payload);  // byte for byte, key order kept
  EXPECT_EQ(got.status, AlertDeliveryStatus::kFailed);
  EXPECT_EQ(got.attempts, 4);
  EXPECT_EQ(got.http_status, 503);
  EXPECT_EQ(got.last_error, "HTTP 503: upstream down");
  EXPECT_EQ(got.created_at, kT0 + 123456);
  EXPECT_EQ(got.finished_at, kT0 + 123456 + 1500);

  // A delivery without partition, response or error keeps its NULLs.
  AlertDelivery bare = Delivery(kT0 + 200000, dataset_);
  bare.kind = "sla_breach";
  bare.http_status.reset();
  bare.attempts = 0;
  ASSERT_TRUE(store_->RecordAlertDelivery(bare).ok());
  auto newest = store_->ListAlertDeliveries({dataset_, std::nullopt, 1});
  ASSERT_TRUE(newest.ok());
  ASSERT_EQ(newest->deliveries.size(), 1u);
  EXPECT_TRUE(newest->has_more);
  EXPECT_EQ(newest->deliveries[0].kind, "sla_breach");
  EXPECT_FALSE(newest->deliveries[0].partition_id.has_value());
  EXPECT_FALSE(newest->deliveries[0].http_status.has_value());
  EXPECT_FALSE(newest->deliveries[0].last_error.has_value());
}

TEST_P(AlertStoreTest, ListsPerDatasetNewestFirstInPages) {
  // Twelve deliveries, three of them at the same instant (ties broken by id), interleaved with
  // another dataset's.
  std::vector<std::string> ids;
  for (int i = 0; i < 12; ++i) {
    UnixMicros at = kT0 + (i < 3 ? 0 : i * 1000);
    auto rec = store_->RecordAlertDelivery(Delivery(at, dataset_));
    ASSERT_TRUE(rec.ok()) << rec.status().ToString();
    ids.push_back(rec->id);
    ASSERT_TRUE(store_->RecordAlertDelivery(Delivery(at, other_)).ok());
  }
  std::vector<std::string> seen;
  AlertDeliveryQuery q{dataset_, std::nullopt, 5};
  for (int pages = 0; pages < 10; ++pages) {
    auto page = store_->ListAlertDeliveries(q);
    ASSERT_TRUE(page.ok()) << page.status().ToString();
    for (const auto& d : page->deliveries) {
      EXPECT_EQ(d.dataset_id, dataset_);
      if (!seen.empty()) {
        EXPECT_LE(d.created_at, page->deliveries.front().created_at);
      }
      seen.push_back(d.id);
    }
    if (!page->has_more) break;
    q.before = {page->deliveries.back().created_at, page->deliveries.back().id};
  }
  ASSERT_EQ(seen.size(), 12u);
  EXPECT_EQ(std::set<std::string>(seen.begin(), seen.end()).size(), 12u);
  // Newest first: the nine distinct instants in descending order, then the three tied ones.
  for (int i = 0; i < 9; ++i) EXPECT_EQ(seen[i], ids[11 - i]);
  std::vector<std::string> tied(ids.begin(), ids.begin() + 3), tail(seen.begin() + 9, seen.end());
  std::sort(tied.rbegin(), tied.rend());
  EXPECT_EQ(tail, tied);
}

TEST_P(AlertStoreTest, ReferencesAndAllowedValuesAreEnforced) {
  EXPECT_EQ(store_->RecordAlertDelivery(Delivery(kT0, NewUuid())).status().code(),
            ErrorCode::kNotFound);
  AlertDelivery stale = Delivery(kT0, dataset_);
  stale.partition_id = NewUuid();
  EXPECT_EQ(store_->RecordAlertDelivery(stale).status().code(), ErrorCode::kNotFound);
  AlertDelivery elsewhere = Delivery(kT0, other_);
  elsewhere.partition_id = partition_;
  EXPECT_EQ(store_->RecordAlertDelivery(elsewhere).status().code(), ErrorCode::kFailedPrecondition);
  AlertDelivery bad = Delivery(kT0, dataset_);
  bad.kind = "meltdown";
  EXPECT_FALSE(store_->RecordAlertDelivery(bad).ok());
  bad = Delivery(kT0, dataset_);
  bad.format = "teams";
  EXPECT_FALSE(store_->RecordAlertDelivery(bad).ok());
  EXPECT_TRUE(store_->ListAlertDeliveries({dataset_, std::nullopt, 10})->deliveries.empty());
  EXPECT_TRUE(store_->ListAlertDeliveries({NewUuid(), std::nullopt, 10})->deliveries.empty());
}

INSTANTIATE_TEST_SUITE_P(Backends, AlertStoreTest, ::testing::Values("sqlite", "postgres"),
                         testing::BackendName);

}  // namespace
}  // namespace tarn::catalog
