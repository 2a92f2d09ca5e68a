// The CatalogStore contract, run against SQLite and PostgreSQL alike.
#include <set>
#include <thread>

#include "catalog/store_fixture.h"
#include "tarn/base/ids.h"
#include "tarn/catalog/catalog_store.h"

namespace tarn::catalog {
namespace {

class CatalogStoreTest : public testing::BackendTest {
 protected:
  void SetUp() override {
    BackendTest::SetUp();
    auto opened = CatalogStore::Open(url_);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    store_ = std::move(opened).value();
  }

  std::string NewSource(const std::string& name = "pg-events") {
    auto s = store_->CreateSource({"", name, SourceType::kBatch, R"({"host":"db"})", "data-eng", 0});
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return s->id;
  }

  std::string NewDataset(const std::string& source_id, const std::string& name = "events",
                         Zone zone = Zone::kRaw) {
    Dataset d;
    d.source_id = source_id;
    d.name = name;
    d.zone = zone;
    d.owner = "data-eng";
    d.sla_hours = 4;
    auto up = store_->UpsertDataset(d);
    EXPECT_TRUE(up.ok()) << up.status().ToString();
    return up->dataset.id;
  }

  static PartitionInput Input(const std::string& key, const std::string& file, int64_t rows = 10) {
    return {key, file, FileFormat::kAvro, rows, rows * 100, std::nullopt};
  }

  std::vector<Partition> All(const std::string& dataset_id) {
    PartitionQuery q;
    q.dataset_id = dataset_id;
    q.limit = 100000;
    return store_->ListPartitions(q)->partitions;
  }

  std::unique_ptr<CatalogStore> store_;
};

TEST_P(CatalogStoreTest, OpeningTwiceMigratesOnce) {
  store_.reset();
  auto again = CatalogStore::Open(url_);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_TRUE((*again)->Ping().ok());
}

TEST_P(CatalogStoreTest, SourcesHaveUniqueNames) {
  std::string id = NewSource();
  auto dup = store_->CreateSource({"", "pg-events", SourceType::kCdc, "{}", "x", 0});
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.status().code(), ErrorCode::kAlreadyExists);
  auto got = store_->GetSource(id);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->name, "pg-events");
  EXPECT_EQ(got->type, SourceType::kBatch);
  EXPECT_GT(got->created_at, 0);
  EXPECT_EQ(store_->ListSources()->size(), 1u);
  EXPECT_TRUE(store_->FindSourceByName("pg-events")->has_value());
  EXPECT_FALSE(store_->FindSourceByName("nope")->has_value());
  EXPECT_EQ(store_->GetSource(NewUuid()).status().code(), ErrorCode::kNotFound);
}

TEST_P(CatalogStoreTest, DatasetUpsertCreatesThenUpdatesByZoneAndName) {
  std::string src = NewSource();
  Dataset d;
  d.source_id = src;
  d.name = "events";
  d.zone = Zone::kRaw;
  d.owner = "team-a";
  auto first = store_->UpsertDataset(d);
  ASSERT_TRUE(first.ok());
  EXPECT_TRUE(first->created);
  d.owner = "team-b";
  d.sla_hours = 2;
  auto second = store_->UpsertDataset(d);
  ASSERT_TRUE(second.ok());
  EXPECT_FALSE(second->created);
  EXPECT_EQ(second->dataset.id, first->dataset.id);
  EXPECT_EQ(second->dataset.owner, "team-b");
  EXPECT_EQ(second->dataset.sla_hours, 2);

  d.source_id = NewSource("other");
  auto clash = store_->UpsertDataset(d);
  EXPECT_EQ(clash.status().code(), ErrorCode::kAlreadyExists);
  d.zone = Zone::kCurated;  // same name in another zone is another dataset
  EXPECT_TRUE(store_->UpsertDataset(d).ok());

  d.source_id = NewUuid();
  EXPECT_EQ(store_->UpsertDataset(d).status().code(), ErrorCode::kNotFound);

  EXPECT_EQ(store_->ListDatasets({})->size(), 2u);
  EXPECT_EQ(store_->ListDatasets({Zone::kRaw, {}, {}})->size(), 1u);
  EXPECT_EQ(store_->ListDatasets({{}, src, {}})->size(), 1u);
}

TEST_P(CatalogStoreTest, SchemaVersionsAndTheDatasetPointerMoveTogether) {
  std::string ds = NewDataset(NewSource());
  EXPECT_FALSE(store_->GetDataset(ds)->schema_version_id.has_value());

  auto v1 = store_->AddSchemaVersion(ds, R"({"type":"record","v":1})", "f1", true);
  ASSERT_TRUE(v1.ok()) << v1.status().ToString();
  EXPECT_TRUE(v1->created);
  EXPECT_EQ(v1->version.version, 1);
  auto d = *store_->GetDataset(ds);
  EXPECT_EQ(d.schema_version_id, v1->version.id);
  EXPECT_EQ(d.schema_version, 1);

  auto v2 = store_->AddSchemaVersion(ds, R"({"type":"record","v":2})", "f2", true);
  ASSERT_TRUE(v2.ok());
  EXPECT_EQ(v2->version.version, 2);
  EXPECT_EQ(store_->GetDataset(ds)->schema_version, 2);

  auto staged = store_->AddSchemaVersion(ds, R"({"type":"record","v":3})", "f3", false);
  ASSERT_TRUE(staged.ok());
  EXPECT_FALSE(staged->version.is_current);
  EXPECT_EQ(store_->GetDataset(ds)->schema_version, 2);

  // Identical schema: the existing version, no new row.
  auto again = store_->AddSchemaVersion(ds, R"({"type":"record","v":1})", "f1", false);
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->created);
  EXPECT_EQ(again->version.id, v1->version.id);

  auto versions = *store_->ListSchemaVersions(ds);
  ASSERT_EQ(versions.size(), 3u);
  int current = 0;
  for (const auto& v : versions) current += v.is_current;
  EXPECT_EQ(current, 1);
  EXPECT_TRUE(versions[1].is_current);

  EXPECT_EQ(store_->AddSchemaVersion(NewUuid(), "{}", "f", true).status().code(),
            ErrorCode::kNotFound);

  // History: which version was current when.
  UnixMicros now = Clock::System().Now();
  EXPECT_FALSE(store_->SchemaVersionAsOf(ds, 0)->has_value());
  EXPECT_EQ((*store_->SchemaVersionAsOf(ds, now))->version, 2);
  ASSERT_TRUE(store_->AddSchemaVersion(ds, R"({"type":"record","v":1})", "f1", true).ok());
  EXPECT_EQ((*store_->SchemaVersionAsOf(ds, now))->version, 2);
  EXPECT_EQ((*store_->SchemaVersionAsOf(ds, Clock::System().Now()))->version, 1);
  EXPECT_EQ(store_->SchemaVersionAsOf(NewUuid(), now).status().code(), ErrorCode::kNotFound);

  EXPECT_EQ(store_->GetDataset(ds)->compatibility, "BACKWARD");
  ASSERT_TRUE(store_->SetCompatibility(ds, "FULL_TRANSITIVE").ok());
  EXPECT_EQ(store_->GetDataset(ds)->compatibility, "FULL_TRANSITIVE");
  EXPECT_FALSE(store_->SetCompatibility(ds, "SOMETIMES").ok());  // the CHECK constraint
  EXPECT_EQ(store_->SetCompatibility(NewUuid(), "NONE").code(), ErrorCode::kNotFound);
}

TEST_P(CatalogStoreTest, RegistrationIsIdempotentPerFile) {
  std::string ds = NewDataset(NewSource());
  auto first = store_->RegisterPartitions(ds, {Input("dt=2024-01-15/hour=03", "raw/e/a.avro")});
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_TRUE((*first)[0].created);
  EXPECT_EQ((*first)[0].partition.status, PartitionStatus::kLanded);
  auto second = store_->RegisterPartitions(ds, {Input("dt=2024-01-15/hour=03", "raw/e/a.avro")});
  ASSERT_TRUE(second.ok());
  EXPECT_FALSE((*second)[0].created);
  EXPECT_EQ((*second)[0].partition.id, (*first)[0].partition.id);
  EXPECT_EQ(All(ds).size(), 1u);
}

TEST_P(CatalogStoreTest, ABatchIsAllOrNothing) {
  std::string ds = NewDataset(NewSource());
  ASSERT_TRUE(store_->RegisterPartitions(ds, {Input("dt=2024-01-15", "raw/e/a.avro", 10)}).ok());
  // The second entry re-registers a.avro with a different row count: a conflict.
  auto batch = store_->RegisterPartitions(
      ds, {Input("dt=2024-01-16", "raw/e/b.avro"), Input("dt=2024-01-15", "raw/e/a.avro", 11)});
  ASSERT_FALSE(batch.ok());
  EXPECT_EQ(batch.status().code(), ErrorCode::kAlreadyExists);
  EXPECT_NE(batch.status().message().find("raw/e/a.avro"), std::string::npos);
  auto all = All(ds);
  ASSERT_EQ(all.size(), 1u);  // b.avro was rolled back
  EXPECT_EQ(all[0].file_path, "raw/e/a.avro");
  EXPECT_EQ(store_->RegisterPartitions(NewUuid(), {Input("dt=2024-01-15", "x.avro")}).status().code(),
            ErrorCode::kNotFound);
}

TEST_P(CatalogStoreTest, ListsByKeyRangeInKeyOrderWithPages) {
  std::string ds = NewDataset(NewSource());
  std::string other = NewDataset(NewSource("s2"), "other");
  std::vector<PartitionInput> in;
  for (int day = 14; day <= 17; ++day) {
    for (int hour : {23, 0, 5}) {  // out of order on purpose
      char key[40];
      std::snprintf(key, sizeof key, "dt=2024-01-%02d/hour=%02d", day, hour);
      in.push_back(Input(key, std::string("raw/e/") + key + "/p.avro"));
    }
  }
  in.push_back(Input("dt=2024-01-15", "raw/e/day15.avro"));
  ASSERT_TRUE(store_->RegisterPartitions(ds, in).ok());
  ASSERT_TRUE(store_->RegisterPartitions(other, {Input("dt=2024-01-15", "raw/o/x.avro")}).ok());

  PartitionQuery q;
  q.dataset_id = ds;
  q.key_from = "dt=2024-01-15";
  q.key_to = "dt=2024-01-17";
  auto page = *store_->ListPartitions(q);
  std::vector<std::string> keys;
  for (const auto& p : page.partitions) keys.push_back(p.partition_key);
  EXPECT_EQ(keys, (std::vector<std::string>{"dt=2024-01-15", "dt=2024-01-15/hour=00",
                                            "dt=2024-01-15/hour=05", "dt=2024-01-15/hour=23",
                                            "dt=2024-01-16/hour=00", "dt=2024-01-16/hour=05",
                                            "dt=2024-01-16/hour=23"}));
  EXPECT_FALSE(page.has_more);

  // Paging with limit 3 visits the same rows exactly once.
  q.limit = 3;
  std::vector<std::string> paged;
  while (true) {
    auto p = *store_->ListPartitions(q);
    for (const auto& part : p.partitions) paged.push_back(part.partition_key);
    if (!p.has_more) break;
    q.after = {{p.partitions.back().partition_key, p.partitions.back().id}};
  }
  EXPECT_EQ(paged, keys);
}

TEST_P(CatalogStoreTest, QualityRunsDriveThePartitionStatus) {
  std::string ds = NewDataset(NewSource());
  auto regs = *store_->RegisterPartitions(
      ds, {Input("dt=2024-01-15/hour=00", "a.avro"), Input("dt=2024-01-15/hour=01", "b.avro")});
  std::string a = regs[0].partition.id, b = regs[1].partition.id;
  auto run = [&](const std::string& id, QualityStatus s) {
    QualityRun r;
    r.partition_id = id;
    r.status = s;
    r.rules_passed = 3;
    r.rules_failed = s == QualityStatus::kFailed ? 1 : 0;
    r.anomaly_score = 0.5;
    auto out = store_->RecordQualityRun(r);
    EXPECT_TRUE(out.ok()) << out.status().ToString();
    return out->partition_status;
  };
  EXPECT_EQ(run(a, QualityStatus::kSkipped), PartitionStatus::kLanded);
  EXPECT_EQ(run(a, QualityStatus::kFailed), PartitionStatus::kQuarantined);
  EXPECT_EQ(run(a, QualityStatus::kPassed), PartitionStatus::kPassed);
  ASSERT_TRUE(store_->SetPartitionStatus(a, PartitionStatus::kPromoted).ok());
  EXPECT_EQ(run(a, QualityStatus::kPassed), PartitionStatus::kPromoted);
  EXPECT_EQ(run(a, QualityStatus::kFailed), PartitionStatus::kQuarantined);
  // Only a passed partition can be promoted.
  EXPECT_EQ(store_->SetPartitionStatus(b, PartitionStatus::kPromoted).code(),
            ErrorCode::kFailedPrecondition);
  EXPECT_EQ(run(b, QualityStatus::kFailed), PartitionStatus::kQuarantined);

  auto runs = *store_->ListQualityRuns(a);
  ASSERT_EQ(runs.size(), 5u);
  EXPECT_EQ(runs[1].status, QualityStatus::kFailed);
  EXPECT_EQ(runs[1].dataset_id, ds);
  EXPECT_DOUBLE_EQ(*runs[1].anomaly_score, 0.5);

  PartitionQuery q;
  q.dataset_id = ds;
  q.status = PartitionStatus::kQuarantined;
  EXPECT_EQ(store_->ListPartitions(q)->partitions.size(), 2u);
  q.status = PartitionStatus::kPassed;
  EXPECT_EQ(store_->ListPartitions(q)->partitions.size(), 0u);

  QualityRun orphan;
  orphan.partition_id = NewUuid();
  EXPECT_EQ(store_->RecordQualityRun(orphan).status().code(), ErrorCode::kNotFound);
}

TEST_P(CatalogStoreTest, BackfillsAreAudited) {
  std::string ds = NewDataset(NewSource());
  BackfillRecord b;
  b.dataset_id = ds;
  b.dag_run_id = "manual__2024-01-20";
  b.partition_key = "dt=2024-01-15";
  b.triggered_by = "bug_fix";
  auto started = store_->StartBackfill(b);
  ASSERT_TRUE(started.ok()) << started.status().ToString();
  EXPECT_EQ(started->status, BackfillStatus::kRunning);
  auto done = store_->FinishBackfill(started->id, BackfillStatus::kSuccess, 1234);
  ASSERT_TRUE(done.ok()) << done.status().ToString();
  EXPECT_EQ(done->status, BackfillStatus::kSuccess);
  EXPECT_EQ(done->rows_affected, 1234);
  EXPECT_TRUE(done->completed_at.has_value());
  EXPECT_EQ(store_->ListBackfills(ds)->size(), 1u);
  EXPECT_EQ(store_->FinishBackfill(NewUuid(), BackfillStatus::kFailed, {}).status().code(),
            ErrorCode::kNotFound);
}

TEST_P(CatalogStoreTest, TokensAreFoundByHashUntilRevoked) {
  ApiToken t;
  t.name = "ingest";
  t.token_hash = std::string(64, 'a');
  t.grants = "raw:write";
  auto created = store_->CreateToken(t);
  ASSERT_TRUE(created.ok());
  auto found = store_->FindToken(t.token_hash);
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_EQ((*found)->grants, "raw:write");
  EXPECT_EQ(store_->CreateToken(t).status().code(), ErrorCode::kAlreadyExists);
  ASSERT_TRUE(store_->RevokeToken(created->id).ok());
  EXPECT_FALSE(store_->FindToken(t.token_hash)->has_value());
  EXPECT_EQ(store_->RevokeToken(created->id).code(), ErrorCode::kNotFound);
  EXPECT_TRUE(store_->ListTokens()->at(0).revoked_at.has_value());
}

TEST_P(CatalogStoreTest, TokensKeepTheirScramVerifiers) {
  ApiToken t;
  t.name = "bi";
  t.token_hash = std::string(64, 'b');
  t.grants = "serving:read";
  auto without = store_->CreateToken(t);  // as issued before migration 6
  ASSERT_TRUE(without.ok()) << without.status().ToString();
  EXPECT_EQ((*store_->FindToken(t.token_hash))->scram_stored_key, "");
  ASSERT_TRUE(store_->SetTokenScramKeys(without->id, std::string(64, '1'), std::string(64, '2')).ok());
  auto found = *store_->FindToken(t.token_hash);
  EXPECT_EQ(found->scram_stored_key, std::string(64, '1'));
  EXPECT_EQ(found->scram_server_key, std::string(64, '2'));
  EXPECT_EQ(store_->SetTokenScramKeys(NewUuid(), "", "").code(), ErrorCode::kNotFound);

  t.token_hash = std::string(64, 'c');
  t.scram_stored_key = std::string(64, '3');
  t.scram_server_key = std::string(64, '4');
  ASSERT_TRUE(store_->CreateToken(t).ok());
  EXPECT_EQ((*store_->FindToken(t.token_hash))->scram_server_key, std::string(64, '4'));
}

TEST_P(CatalogStoreTest, ConcurrentRegistrationsOfTheSameFilesKeepOneRowEach) {
  std::string ds = NewDataset(NewSource());
  constexpr int kThreads = 6, kFiles = 40;
  std::vector<std::vector<std::string>> ids(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int f = 0; f < kFiles; ++f) {
        std::string file = "raw/e/f" + std::to_string(f) + ".avro";
        auto r = store_->RegisterPartitions(ds, {Input("dt=2024-01-15", file)});
        // A racing duplicate insert may surface as a conflict; a retry resolves it.
        if (!r.ok()) r = store_->RegisterPartitions(ds, {Input("dt=2024-01-15", file)});
        ASSERT_TRUE(r.ok()) << r.status().ToString();
        ids[t].push_back((*r)[0].partition.id);
      }
    });
  }
  for (auto& th : threads) th.join();
  for (int t = 1; t < kThreads; ++t) EXPECT_EQ(ids[t], ids[0]);
  EXPECT_EQ(All(ds).size(), static_cast<size_t>(kFiles));
}

TEST_P(CatalogStoreTest, IngestRunsLandPartitionsAndCursorTogether) {
  std::string ds = NewDataset(NewSource());
  auto schema = store_->AddSchemaVersion(ds, R"({"type":"record"})", "f", true);
  IngestRun in;
  in.dataset_id = ds;
  in.window_key = "pg-orders-abc";
  in.window_description = "orders: updated_at in (, 5]";
  auto run = store_->StartIngestRun(in);
  ASSERT_TRUE(run.ok()) << run.status().ToString();
  EXPECT_EQ(run->status, IngestStatus::kRunning);
  EXPECT_EQ((*store_->FindIngestRun(ds, "pg-orders-abc"))->id, run->id);
  EXPECT_FALSE(store_->FindIngestRun(ds, "other")->has_value());
  EXPECT_FALSE(store_->GetSourceCursor(ds)->has_value());

  // A conflicting file makes the whole landing fail: no partition, no cursor, still running.
  ASSERT_TRUE(store_->RegisterPartitions(ds, {Input("dt=2024-01-15/hour=00", "raw/e/b.avro", 1)}).ok());
  IngestRun done = *run;
  done.records_accepted = 7;
  done.records_rejected = 2;
  done.files_written = 1;
  done.end_cursor = "5";
  done.deadletter_path = "raw/e/_deadletter/x.jsonl";
  PartitionInput a = Input("dt=2024-01-15/hour=00", "raw/e/a.avro", 7);
  a.schema_version_id = schema->version.id;
  EXPECT_EQ(store_->CompleteIngestRun(done, {a, Input("dt=2024-01-15/hour=00", "raw/e/b.avro", 2)})
                .status()
                .code(),
            ErrorCode::kAlreadyExists);
  EXPECT_EQ(All(ds).size(), 1u);
  EXPECT_FALSE(store_->GetSourceCursor(ds)->has_value());
  EXPECT_EQ(store_->GetIngestRun(run->id)->status, IngestStatus::kRunning);

  auto landed = store_->CompleteIngestRun(done, {a});
  ASSERT_TRUE(landed.ok()) << landed.status().ToString();
  EXPECT_EQ(landed->status, IngestStatus::kSucceeded);
  EXPECT_EQ(landed->records_accepted, 7);
  EXPECT_EQ(landed->records_rejected, 2);
  EXPECT_EQ(landed->deadletter_path, "raw/e/_deadletter/x.jsonl");
  EXPECT_TRUE(landed->finished_at.has_value());
  EXPECT_EQ(*store_->GetSourceCursor(ds), "5");
  auto files = All(ds);
  ASSERT_EQ(files.size(), 2u);
  for (const auto& f : files) {
    if (f.file_path == "raw/e/a.avro") {
      EXPECT_EQ(f.schema_version_id, schema->version.id);
    }
  }

  IngestRun second = *store_->StartIngestRun(in);
  second.error = "io_error: disk full";
  ASSERT_TRUE(store_->FailIngestRun(second).ok());
  auto runs = *store_->ListIngestRuns(ds, 10);
  ASSERT_EQ(runs.size(), 2u);
  EXPECT_EQ(runs[0].status, IngestStatus::kFailed);
  EXPECT_EQ(runs[0].error, "io_error: disk full");
  done.end_cursor = "9";
  done.id = runs[0].id;
  ASSERT_TRUE(store_->CompleteIngestRun(done, {}).ok());
  EXPECT_EQ(*store_->GetSourceCursor(ds), "9");
}

INSTANTIATE_TEST_SUITE_P(Backends, CatalogStoreTest, ::testing::Values("sqlite", "postgres"),
                         testing::BackendName);

}  // namespace
}  // namespace tarn::catalog
