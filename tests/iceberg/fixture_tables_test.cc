// End to end on three tables written by other engines (shared fixtures, README §4): parse the
// metadata, plan a scan, read it with DuckDB through IcebergScanSql, and compare with the
// results worked out independently (position deletes, equality deletes, branches and tags,
// schema evolution).
#include <gtest/gtest.h>

#include <filesystem>

#include "tarn/engine/duckdb_engine.h"
#include "tarn/engine/iceberg_read.h"
#include "tarn/iceberg/scan.h"
#include "tarn/iceberg/table_metadata.h"

namespace tarn::iceberg {
namespace {

namespace fs = std::filesystem;
using engine::Row;

const std::string kTables = std::string(TARN_SHARED_FIXTURES) + "/iceberg/tables";

struct Table {
  TableMetadata metadata;
  std::unique_ptr<FileIO> io;
};

class FixtureTablesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!fs::is_directory(kTables)) GTEST_SKIP() << "the shared fixtures are absent: " << kTables;
    db_ = std::move(engine::DuckDb::Open().value());
  }

  // The table in fixture directory `name`, its locations under `prefix` remapped there.
  Table Load(const std::string& name, const std::string& prefix, const std::string& file) {
    Table t;
    t.io = MakeLocalFileIO(prefix, kTables + "/" + name);
    auto json = t.io->Read(prefix + "/metadata/" + file);
    EXPECT_TRUE(json.ok()) << json.status().ToString();
    auto md = ParseTableMetadata(json.ok() ? *json : "");
    EXPECT_TRUE(md.ok()) << md.status().ToString();
    if (md.ok()) t.metadata = std::move(md).value();
    return t;
  }

  // Plans `snapshot` with `filter`, then runs `select` (with {} standing for the scan's
  // subquery) and returns its rows.
  std::vector<Row> Read(const Table& t, const Snapshot* snapshot, const Filter& filter,
                        const std::string& select, ScanPlan* plan_out = nullptr) {
    auto plan = PlanScan(t.metadata, snapshot, filter, *t.io);
    EXPECT_TRUE(plan.ok()) << plan.status().ToString();
    if (!plan.ok()) return {};
    auto sql = engine::IcebergScanSql(*plan, *t.metadata.CurrentSchema(), *t.io);
    EXPECT_TRUE(sql.ok()) << sql.status().ToString();
    if (!sql.ok()) return {};
    std::string query = select;
    query.replace(query.find("{}"), 2, "(" + *sql + ")");
    std::vector<Row> rows;
    Status st = db_->Query(query, {}, [&](const Row& r) {
      rows.push_back(r);
      return Status::OK();
    });
    EXPECT_TRUE(st.ok()) << st.ToString() << "\n" << query;
    if (plan_out) *plan_out = std::move(plan).value();
    return rows;
  }

  static const Snapshot* BySeq(const TableMetadata& md, int64_t seq) {
    for (const Snapshot& s : md.snapshots) {
      if (s.sequence_number == seq) return &s;
    }
    ADD_FAILURE() << "no snapshot with sequence number " << seq;
    return nullptr;
  }

  static const Snapshot* ByRef(const TableMetadata& md, const std::string& ref) {
    auto it = md.refs.find(ref);
    if (it == md.refs.end()) {
      ADD_FAILURE() << "no ref " << ref;
      return nullptr;
    }
    return md.SnapshotById(it->second.snapshot_id);
  }

  std::unique_ptr<engine::DuckDb> db_;
};

Row R(std::vector<std::optional<std::string>> v) { return v; }

constexpr char kAggregates[] =
    "SELECT count(*)::VARCHAR, sum(a)::VARCHAR, sum(b)::VARCHAR, min(a)::VARCHAR, "
    "max(b)::VARCHAR FROM {}";

TEST_F(FixtureTablesTest, GperovPositionDeletesBranchesAndTags) {
  Table t = Load("gperov_test", "s3://warehouse/gperov/test",
                 "00007-2ed28880-9928-4670-934a-bda11c8130c9.metadata.json");
  const TableMetadata& md = t.metadata;
  EXPECT_EQ(Read(t, md.CurrentSnapshot(), {}, kAggregates),
            std::vector<Row>{R({"10001", "49992814", "99985713", "-43", "19998"})});
  auto count_sum = "SELECT count(*)::VARCHAR, sum(a)::VARCHAR FROM {}";
  EXPECT_EQ(Read(t, ByRef(md, "EOW-01"), {}, count_sum),
            std::vector<Row>{R({"10000", "49992857"})});
  EXPECT_EQ(Read(t, ByRef(md, "test-branch"), {}, count_sum),
            std::vector<Row>{R({"9999", "49992899"})});
  EXPECT_EQ(Read(t, BySeq(md, 2), {}, count_sum), std::vector<Row>{R({"10000", "49995000"})});
  EXPECT_EQ(Read(t, BySeq(md, 1), {}, count_sum), std::vector<Row>{R({"0", std::nullopt})});
}

TEST_F(FixtureTablesTest, GperovFilterOnTheDeletedRowReadsOneFileAndNoRows) {
  Table t = Load("gperov_test", "s3://warehouse/gperov/test",
                 "00007-2ed28880-9928-4670-934a-bda11c8130c9.metadata.json");
  ScanPlan plan;
  Filter filter = {Predicate{"a", 0, Op::kEq, {Literal::Long(2101)}}};
  auto rows = Read(t, t.metadata.CurrentSnapshot(), filter,
                   "SELECT count(*)::VARCHAR FROM {} WHERE a = 2101", &plan);
  EXPECT_EQ(rows, std::vector<Row>{R({"0"})});
  ASSERT_EQ(plan.tasks.size(), 1u);  // column bounds leave the one file holding a = 2101
  EXPECT_EQ(plan.tasks[0].deletes.size(), 1u);
  EXPECT_EQ(plan.metrics.data_files_considered, 8);
  EXPECT_EQ(plan.metrics.delete_files, 1);
  // The neighbouring row of the same file is still there.
  filter[0].values = {Literal::Long(2102)};
  EXPECT_EQ(
      Read(t, t.metadata.CurrentSnapshot(), filter, "SELECT b::VARCHAR FROM {} WHERE a = 2102"),
      std::vector<Row>{R({"4204"})});
}

constexpr char kPeople[] = "SELECT id::VARCHAR, name, bir::VARCHAR FROM {} ORDER BY id";
constexpr char kMyTablePrefix[] =
    "data/persistent/equality_deletes/warehouse/mydb/mytable_partitioned";

TEST_F(FixtureTablesTest, MyTablePartitionedEqualityDeletes) {
  Table t = Load("mytable_partitioned", kMyTablePrefix, "v6.metadata.json");
  const TableMetadata& md = t.metadata;
  EXPECT_EQ(Read(t, md.CurrentSnapshot(), {}, kPeople),
            (std::vector<Row>{R({"1", "a", "2025-01-01"}), R({"4", "d", "2025-01-04"}),
                              R({"5", "e", "2025-01-05"})}));
  std::vector<std::pair<int, std::string>> live = {
      {1, "4"}, {2, "3"}, {3, "2"}, {4, "4"}, {5, "3"}};
  for (const auto& [seq, count] : live) {
    EXPECT_EQ(Read(t, BySeq(md, seq), {}, "SELECT count(*)::VARCHAR FROM {}"),
              std::vector<Row>{R({count})})
        << "sequence number " << seq;
  }
}

TEST_F(FixtureTablesTest, MyTablePartitionedFilterReadsOneDataFile) {
  Table t = Load("mytable_partitioned", kMyTablePrefix, "v6.metadata.json");
  ScanPlan plan;
  Filter filter = {Predicate{"name", 0, Op::kEq, {Literal::String("d")}}};
  EXPECT_EQ(Read(t, t.metadata.CurrentSnapshot(), filter, kPeople, &plan),
            std::vector<Row>{R({"4", "d", "2025-01-04"})});
  ASSERT_EQ(plan.tasks.size(), 1u);
  EXPECT_TRUE(plan.tasks[0].deletes.empty());
  EXPECT_GT(plan.metrics.manifests_skipped + plan.metrics.data_files_skipped, 0);
}

TEST_F(FixtureTablesTest, DefaultValueSchemaEvolutionReadsByFieldId) {
  Table t = Load("default_value", "s3a://warehouse/streams/default_value",
                 "00014-c179c339-e10a-486b-b075-144f5e5b101a.metadata.json");
  auto rows = Read(t, t.metadata.CurrentSnapshot(), {},
                   "SELECT id::VARCHAR, boolean_col::VARCHAR, integer_col::VARCHAR, "
                   "long_col::VARCHAR, float_col::VARCHAR, double_col::VARCHAR, "
                   "decimal_col::VARCHAR, string_col, hex(binary_col), date_col::VARCHAR, "
                   "timestamp_col::VARCHAR, epoch_us(timestamptz_col)::VARCHAR, "
                   "array_col::VARCHAR FROM {} ORDER BY id");
  Row first(13);
  first[0] = "1";
  EXPECT_EQ(
      rows,
      (std::vector<Row>{
          first, R({"2", "true", "2147483647", "9223372036854775807", "3.4028235e+38",
                    "1.7976931348623157e+308", "12345.67", "example", "737061726B", "2023-10-10",
                    "2023-10-10 12:34:56", "1696941296000000", "[item1, item2]"})}));
}

}  // namespace
}  // namespace tarn::iceberg
