// Table operations and the optimistic commit protocol, on local files with an in-memory
// pointer (the catalog-backed pointer has its own tests in tests/catalog).
#include "tarn/iceberg/table.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <mutex>
#include <set>
#include <thread>

#include "iceberg/iceberg_test_util.h"
#include "tarn/base/ids.h"

namespace tarn::iceberg {
namespace {

namespace fs = std::filesystem;

using testing::MemoryPointer;
using testing::PointerCell;

schema::Schema EventSchema() {
  auto ts = std::make_shared<schema::Type>();
  ts->id = schema::TypeId::kTimestampTz;
  auto id = std::make_shared<schema::Type>();
  id->id = schema::TypeId::kLong;
  auto country = std::make_shared<schema::Type>();
  country->id = schema::TypeId::kString;
  std::vector<schema::NestedField> fields;
  fields.push_back({1, "event_id", true, id});
  fields.push_back({2, "event_ts", true, ts});
  fields.push_back({3, "country", false, country});
  return schema::Schema::Make(std::move(fields)).value();
}

class TableTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("tarn-table-" + NewUuid());
    fs::create_directories(dir_);
    io_ = std::shared_ptr<FileIO>(MakeLocalFileIO());
    cell_ = std::make_shared<PointerCell>();
    TableMetadata md;
    md.table_uuid = NewUuid();
    md.location = (dir_ / "orders").string();
    md.schemas.emplace_back(0, EventSchema());
    md.last_column_id = 3;
    PartitionSpec spec;
    spec.fields.push_back({2, 1000, "event_ts_day", Transform{Transform::kDay, 0}});
    md.specs.push_back(spec);
    md.last_partition_id = 1000;
    md.sort_orders.push_back(SortOrder{});
    md.last_updated_ms = 1;
    auto t = Table::Create(NewPointer(), io_, md);
    ASSERT_TRUE(t.ok()) << t.status().ToString();
    table_ = std::move(t).value();
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::unique_ptr<TablePointer> NewPointer() { return std::make_unique<MemoryPointer>(cell_); }

  // A data file of day `day` (days since 1970) holding `rows` rows; no bytes on disk needed
  // for metadata operations.
  DataFile File(int day, int64_t rows, const std::string& name = "") {
    DataFile f;
    f.file_path = table_->metadata().location + "/data/event_ts_day=" + std::to_string(day) +
                  "/" + (name.empty() ? NewUuid() : name) + ".parquet";
    f.partition = {Literal::Date(day)};
    f.record_count = rows;
    f.file_size_in_bytes = rows * 10;
    return f;
  }

  std::set<std::string> LivePaths() {
    std::set<std::string> out;
    auto entries = table_->LiveEntries(*table_->metadata().CurrentSnapshot());
    EXPECT_TRUE(entries.ok()) << entries.status().ToString();
    for (const auto& e : *entries) out.insert(e.data_file.file_path);
    return out;
  }

  fs::path dir_;
  std::shared_ptr<FileIO> io_;
  std::shared_ptr<PointerCell> cell_;
  std::unique_ptr<Table> table_;
};

TEST_F(TableTest, AppendsBuildASnapshotChain) {
  auto s1 = table_->Append({File(19700, 10), File(19701, 5)}, {{"tarn.source-partitions", "p1"}});
  ASSERT_TRUE(s1.ok()) << s1.status().ToString();
  auto s2 = table_->Append({File(19702, 7)});
  ASSERT_TRUE(s2.ok()) << s2.status().ToString();
  const TableMetadata& md = table_->metadata();
  ASSERT_EQ(md.snapshots.size(), 2u);
  EXPECT_EQ(md.current_snapshot_id, *s2);
  EXPECT_EQ(md.last_sequence_number, 2);
  EXPECT_EQ(md.refs.at("main").snapshot_id, *s2);
  const Snapshot* first = md.SnapshotById(*s1);
  EXPECT_EQ(first->summary.at("operation"), "append");
  EXPECT_EQ(first->summary.at("added-records"), "15");
  EXPECT_EQ(first->summary.at("tarn.source-partitions"), "p1");
  EXPECT_EQ(md.CurrentSnapshot()->summary.at("total-records"), "22");
  EXPECT_EQ(md.CurrentSnapshot()->parent_snapshot_id, *s1);
  EXPECT_EQ(md.snapshot_log.size(), 2u);
  EXPECT_EQ(md.metadata_log.size(), 2u);
  EXPECT_EQ(LivePaths().size(), 3u);
  // Every commit wrote metadata/<version>-<uuid>.metadata.json, and reloading reads it back.
  EXPECT_NE(table_->metadata_location().find("/metadata/00002-"), std::string::npos);
  auto reloaded = Table::Load(NewPointer(), io_);
  ASSERT_TRUE(reloaded.ok()) << reloaded.status().ToString();
  EXPECT_EQ((*reloaded)->metadata().current_snapshot_id, *s2);
}

TEST_F(TableTest, ReplaceFilesIsIdempotent) {
  DataFile old_file = File(19700, 10);
  ASSERT_TRUE(table_->Append({old_file, File(19701, 3)}).ok());
  DataFile fresh = File(19700, 8);
  ASSERT_TRUE(table_->ReplaceFiles({old_file.file_path}, {fresh}).ok());
  EXPECT_EQ(table_->metadata().CurrentSnapshot()->summary.at("operation"), "overwrite");
  EXPECT_EQ(table_->metadata().CurrentSnapshot()->summary.at("deleted-data-files"), "1");
  EXPECT_EQ(table_->metadata().CurrentSnapshot()->summary.at("total-records"), "11");
  auto live = LivePaths();
  EXPECT_FALSE(live.count(old_file.file_path));
  EXPECT_TRUE(live.count(fresh.file_path));
  // Replaying the removal of a file that is gone removes nothing more.
  ASSERT_TRUE(table_->ReplaceFiles({old_file.file_path}, {}).ok());
  EXPECT_EQ(table_->metadata().CurrentSnapshot()->summary.at("total-records"), "11");
}

TEST_F(TableTest, OverwritePartitionsReplacesOnlyTouchedPartitions) {
  ASSERT_TRUE(table_->Append({File(19700, 10), File(19700, 4), File(19701, 3)}).ok());
  ASSERT_TRUE(table_->OverwritePartitions({File(19700, 6)}).ok());
  EXPECT_EQ(table_->metadata().CurrentSnapshot()->summary.at("total-records"), "9");
  ASSERT_TRUE(table_->OverwritePartitions({File(19700, 6)}).ok());  // replay: same rows
  EXPECT_EQ(table_->metadata().CurrentSnapshot()->summary.at("total-records"), "9");
  EXPECT_EQ(LivePaths().size(), 2u);
}

TEST_F(TableTest, RowDeltaAddsDeleteFilesWithNewerSequence) {
  DataFile data = File(19700, 10);
  ASSERT_TRUE(table_->Append({data}).ok());
  DataFile del = File(19700, 2);
  del.content = FileContent::kPositionDeletes;
  auto s = table_->RowDelta({}, {del});
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  const Snapshot* snap = table_->metadata().CurrentSnapshot();
  EXPECT_EQ(snap->summary.at("operation"), "delete");
  EXPECT_EQ(snap->summary.at("added-position-deletes"), "2");
  EXPECT_EQ(snap->summary.at("total-delete-files"), "1");
  auto entries = table_->LiveEntries(*snap);
  ASSERT_TRUE(entries.ok());
  ASSERT_EQ(entries->size(), 2u);
  for (const auto& e : *entries) {
    if (e.data_file.content == FileContent::kPositionDeletes) EXPECT_EQ(e.sequence_number, 2);
    else EXPECT_EQ(e.sequence_number, 1);
  }
}

TEST_F(TableTest, SchemaAndSpecEvolution) {
  auto extra = std::make_shared<schema::Type>();
  extra->id = schema::TypeId::kDouble;
  std::vector<schema::NestedField> fields = EventSchema().fields();
  fields.push_back({4, "amount", false, extra});
  auto evolved = schema::Schema::Make(fields).value();
  ASSERT_TRUE(table_->SetCurrentSchema(evolved).ok());
  EXPECT_EQ(table_->metadata().current_schema_id, 1);
  EXPECT_EQ(table_->metadata().last_column_id, 4);
  ASSERT_TRUE(table_->SetCurrentSchema(EventSchema()).ok());  // an existing schema: reused
  EXPECT_EQ(table_->metadata().current_schema_id, 0);
  EXPECT_EQ(table_->metadata().schemas.size(), 2u);

  ASSERT_TRUE(table_->Append({File(19700, 1)}).ok());
  ASSERT_TRUE(table_->SetPartitionSpec({{2, 0, "", Transform{Transform::kHour, 0}},
                                        {3, 0, "", Transform{Transform::kIdentity, 0}}})
                  .ok());
  const PartitionSpec* spec = table_->metadata().DefaultSpec();
  ASSERT_EQ(spec->spec_id, 1);
  EXPECT_EQ(spec->fields[0].field_id, 1001);
  EXPECT_EQ(spec->fields[0].name, "event_ts_hour");
  EXPECT_EQ(spec->fields[1].name, "country");
  // Back to day: the old field id comes back, and the old spec is reused.
  ASSERT_TRUE(table_->SetPartitionSpec({{2, 0, "", Transform{Transform::kDay, 0}}}).ok());
  EXPECT_EQ(table_->metadata().default_spec_id, 0);
  // Old files keep their spec.
  EXPECT_EQ(LivePaths().size(), 1u);
}

TEST_F(TableTest, TagsAndTimeTravel) {
  auto s1 = *table_->Append({File(19700, 1)});
  ASSERT_TRUE(table_->SetTag("v1", s1).ok());
  EXPECT_EQ(table_->SetTag("v1", 12345).code(), ErrorCode::kNotFound);
  int64_t after_first = table_->metadata().SnapshotById(s1)->timestamp_ms;
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  auto s2 = *table_->Append({File(19701, 1)});
  EXPECT_EQ(table_->SetTag("v1", s2).code(), ErrorCode::kAlreadyExists);
  EXPECT_EQ(table_->metadata().refs.at("v1").snapshot_id, s1);
  EXPECT_FALSE(table_->metadata().refs.at("v1").is_branch);
  EXPECT_EQ(table_->metadata().SnapshotAsOf(after_first)->snapshot_id, s1);
  EXPECT_EQ(table_->metadata().SnapshotAsOf(after_first - 1), nullptr);
  ASSERT_TRUE(table_->RemoveRef("v1").ok());
  EXPECT_FALSE(table_->metadata().refs.count("v1"));
  EXPECT_EQ(table_->RemoveRef("main").code(), ErrorCode::kInvalidArgument);
}

TEST_F(TableTest, ExpiryDeletesOnlyUnreachableFiles) {
  DataFile a = File(19700, 1), b = File(19701, 1);
  for (const DataFile* f : {&a, &b}) {  // real files, so deletion is observable
    fs::create_directories(fs::path(f->file_path).parent_path());
    std::ofstream(f->file_path) << "x";
  }
  auto s1 = *table_->Append({a});
  ASSERT_TRUE(table_->ReplaceFiles({a.file_path}, {b}).ok());
  std::string old_list = table_->metadata().SnapshotById(s1)->manifest_list;
  auto result = table_->ExpireSnapshots(INT64_MAX, 1);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->expired_snapshots, std::vector<int64_t>{s1});
  EXPECT_FALSE(fs::exists(a.file_path));
  EXPECT_FALSE(fs::exists(old_list));
  EXPECT_TRUE(fs::exists(b.file_path));
  EXPECT_EQ(table_->metadata().snapshots.size(), 1u);
  EXPECT_EQ(LivePaths(), std::set<std::string>{b.file_path});
}

TEST_F(TableTest, OrphanRemovalKeepsEverythingReferenced) {
  DataFile a = File(19700, 1);
  fs::create_directories(fs::path(a.file_path).parent_path());
  std::ofstream(a.file_path) << "x";
  std::string orphan = table_->metadata().location + "/data/event_ts_day=19700/stray.parquet";
  std::ofstream(orphan) << "y";
  ASSERT_TRUE(table_->Append({a}).ok());
  auto none = table_->RemoveOrphanFiles(0);  // nothing is older than the epoch
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
  auto removed = table_->RemoveOrphanFiles(INT64_MAX);
  ASSERT_TRUE(removed.ok()) << removed.status().ToString();
  EXPECT_EQ(*removed, std::vector<std::string>{orphan});
  EXPECT_TRUE(fs::exists(a.file_path));
  auto reloaded = Table::Load(NewPointer(), io_);
  ASSERT_TRUE(reloaded.ok());
  EXPECT_EQ(LivePaths(), std::set<std::string>{a.file_path});
}

// Writers racing on one table each retry on fresh metadata: every append lands exactly once.
TEST_F(TableTest, ConcurrentAppendsAllLand) {
  constexpr int kWriters = 4, kCommits = 10;
  std::vector<std::thread> threads;
  for (int w = 0; w < kWriters; ++w) {
    threads.emplace_back([&, w] {
      auto t = Table::Load(NewPointer(), io_);
      ASSERT_TRUE(t.ok());
      for (int i = 0; i < kCommits; ++i) {
        DataFile f = File(19700 + w, 1, "w" + std::to_string(w) + "-" + std::to_string(i));
        auto s = (*t)->Append({f});
        ASSERT_TRUE(s.ok()) << s.status().ToString();
      }
    });
  }
  for (auto& t : threads) t.join();
  ASSERT_TRUE(table_->Refresh().ok());
  EXPECT_EQ(table_->metadata().snapshots.size(), size_t{kWriters * kCommits});
  EXPECT_EQ(LivePaths().size(), size_t{kWriters * kCommits});
  EXPECT_EQ(table_->metadata().last_sequence_number, kWriters * kCommits);
}

TEST_F(TableTest, UnknownCommitOutcomeIsReportedAndKeepsItsFiles) {
  ASSERT_TRUE(table_->Append({File(19700, 1)}).ok());
  cell_->fail = ErrorCode::kCommitStateUnknown;
  cell_->fail_once = true;
  auto s = table_->Append({File(19701, 1)});
  EXPECT_EQ(s.status().code(), ErrorCode::kCommitStateUnknown);
  // The attempt's metadata file is still there (it may have been committed).
  auto metadata_files = io_->List(table_->metadata().location + "/metadata");
  ASSERT_TRUE(metadata_files.ok());
  int json = 0;
  for (const auto& f : *metadata_files) json += f.ends_with(".metadata.json");
  EXPECT_EQ(json, 3);
}

}  // namespace
}  // namespace tarn::iceberg

namespace tarn::iceberg {
namespace {

// Many small appends: manifests are merged once there are enough of them, so the manifest
// list stays short, and no file is lost or duplicated on the way.
TEST_F(TableTest, SmallManifestsAreMerged) {
  ASSERT_TRUE(table_->Commit([](const TableMetadata& base, std::vector<PendingFile>*) {
    TableMetadata next = base;
    next.properties["commit.manifest.min-count-to-merge"] = "10";
    return Result<TableMetadata>(next);
  }).ok());
  std::set<std::string> appended;
  for (int i = 0; i < 35; ++i) {
    DataFile f = File(19700 + i, 1);
    appended.insert(f.file_path);
    ASSERT_TRUE(table_->Append({f}).ok());
  }
  const Snapshot* snap = table_->metadata().CurrentSnapshot();
  auto list = io_->Read(snap->manifest_list);
  ASSERT_TRUE(list.ok());
  auto manifests = DecodeManifestList(*list);
  ASSERT_TRUE(manifests.ok());
  EXPECT_LT(manifests->size(), 12u);
  EXPECT_EQ(LivePaths(), appended);
  EXPECT_EQ(snap->summary.at("total-records"), "35");
  // Sequence numbers survive merging: the first file still has data sequence number 1.
  auto entries = table_->LiveEntries(*snap);
  int64_t min_seq = INT64_MAX;
  for (const auto& e : *entries) min_seq = std::min(min_seq, *e.sequence_number);
  EXPECT_EQ(min_seq, 1);
}

}  // namespace
}  // namespace tarn::iceberg
