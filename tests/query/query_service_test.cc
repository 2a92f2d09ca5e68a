// The query service against a real lake on disk: Iceberg tables written by the engine, read
// through sandboxed sessions. Pruning is checked through EXPLAIN and against unpruned reads.
#include "tarn/query/query_service.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <thread>

#include "schema/schema_test_util.h"
#include "tarn/base/ids.h"
#include "tarn/base/time.h"
#include "tarn/engine/table_writer.h"
#include "tarn/iceberg/table_update.h"
#include "tarn/lake/lake.h"

namespace tarn::query {
namespace {

namespace fs = std::filesystem;
using schema::TypeId;
using schema::testing::F;
using schema::testing::Prim;

// Rows i in [from, to): ids i, ts = 2024-01-01 + i hours (so 24 rows per day), country by
// i % 3, amount i * 0.5.
std::string Events(int from, int to) {
  return "SELECT i AS id, TIMESTAMPTZ '2024-01-01 00:00:00+00' + to_hours(i) AS ts, "
         "CASE i % 3 WHEN 0 THEN 'US' WHEN 1 THEN 'DE' ELSE 'FR' END AS country, "
         "i * 0.5 AS amount FROM range(" + std::to_string(from) + ", " + std::to_string(to) + ") r(i)";
}

class QueryServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("tarn-query-" + NewUuid());
    lake::LakeOptions opts;
    opts.root = dir_.string();
    lake_ = std::move(lake::Lake::Open(opts).value());
    tables_ = lake_->tables().value();
    writer_ = std::move(engine::DuckDb::Open().value());
    auto schema = schema::Schema::Make({F(1, "id", true, Prim(TypeId::kLong)),
                                        F(2, "ts", true, Prim(TypeId::kTimestampTz)),
                                        F(3, "country", false, Prim(TypeId::kString)),
                                        F(4, "amount", false, Prim(TypeId::kDouble))})
                      .value();
    iceberg::PartitionSpec spec;
    spec.fields.push_back({2, 0, "", iceberg::Transform{iceberg::Transform::kDay, 0}});
    auto md = iceberg::NewTableMetadata(schema, spec, iceberg::SortOrder{},
                                        tables_->DefaultLocation("curated", "events"), {},
                                        NewUuid(), 1000)
                  .value();
    table_ = std::move(tables_->Create("curated", "events", md).value());
    // Ten days, one commit per day: ten data files.
    for (int day = 0; day < 10; ++day) {
      Load(Events(day * 24, day * 24 + 24));
      std::this_thread::sleep_for(std::chrono::milliseconds(3));  // distinct snapshot times
    }
    service_ = std::make_unique<QueryService>(*lake_);
    session_ = std::move(service_->OpenSession(catalog::Grants::Admin()).value());
  }
  void TearDown() override {
    session_.reset();
    fs::remove_all(dir_);
  }

  void Load(const std::string& sql) {
    auto r = engine::LoadIntoTable(*writer_, *table_, sql, engine::LoadMode::kAppend);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
  }

  // All rows of a statement; fails the test on error.
  std::vector<Row> Rows(const std::string& sql, const std::vector<std::optional<std::string>>& params = {},
                        Session* session = nullptr) {
    auto stream = (session ? session : session_.get())->Execute(sql, params);
    EXPECT_TRUE(stream.ok()) << sql << ": " << stream.status().ToString();
    std::vector<Row> rows;
    if (!stream.ok()) return rows;
    Row row;
    while (true) {
      auto more = (*stream)->Next(&row);
      EXPECT_TRUE(more.ok()) << more.status().ToString();
      if (!more.ok() || !*more) break;
      rows.push_back(row);
    }
    return rows;
  }
  std::string One(const std::string& sql, const std::vector<std::optional<std::string>>& params = {}) {
    auto rows = Rows(sql, params);
    return rows.size() == 1 && !rows[0].empty() && rows[0][0] ? *rows[0][0] : "<none>";
  }
  Status Error(const std::string& sql, Session* session = nullptr) {
    auto stream = (session ? session : session_.get())->Execute(sql, {});
    if (!stream.ok()) return stream.status();
    Row row;
    while (true) {
      auto more = (*stream)->Next(&row);
      if (!more.ok()) return more.status();
      if (!*more) return Status::OK();
    }
  }
  // The "files ... scanned N" figure of EXPLAIN's first tarn line.
  int Scanned(const std::string& sql, const std::vector<std::optional<std::string>>& params = {}) {
    for (const Row& r : Rows("EXPLAIN " + sql, params)) {
      const std::string& line = *r[0];
      size_t at = line.find("scanned ");
      if (line.rfind("tarn: ", 0) == 0 && at != std::string::npos) return std::stoi(line.substr(at + 8));
    }
    return -1;
  }

  fs::path dir_;
  std::unique_ptr<lake::Lake> lake_;
  lake::LakeTables* tables_ = nullptr;
  std::unique_ptr<iceberg::Table> table_;
  std::unique_ptr<engine::DuckDb> writer_;
  std::unique_ptr<QueryService> service_;
  std::unique_ptr<Session> session_;
};

TEST_F(QueryServiceTest, ReadsTablesByZoneAndName) {
  EXPECT_EQ(One("SELECT count(*) FROM curated.events"), "240");
  EXPECT_EQ(One("SELECT sum(id) FROM curated.events e WHERE e.country = 'US'"), "9480");
  EXPECT_EQ(One("SELECT count(*) FROM CURATED.Events AS x JOIN curated.events y ON x.id = y.id"), "240");
  auto rows = Rows("SELECT id, amount, ts FROM curated.events ORDER BY id DESC LIMIT 2");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(*rows[0][0], "239");
  EXPECT_EQ(*rows[0][1], "119.5");
  EXPECT_EQ(*rows[0][2], "2024-01-10 23:00:00+00");
}

TEST_F(QueryServiceTest, ColumnsAndParametersAreDescribed) {
  auto info = session_->Describe("SELECT id, ts, amount FROM curated.events WHERE id = $1");
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  ASSERT_EQ(info->columns.size(), 3u);
  EXPECT_EQ(info->columns[0].type, ColumnType::kBigInt);
  EXPECT_EQ(info->columns[1].type, ColumnType::kTimestampTz);
  EXPECT_EQ(info->columns[2].name, "amount");
  ASSERT_EQ(info->parameter_count, 1);
  EXPECT_EQ(info->parameter_types[0], ColumnType::kBigInt);
  EXPECT_EQ(One("SELECT count(*) FROM curated.events WHERE id < $1 AND country = $2", {"30", "US"}), "10");
  EXPECT_EQ(One("SELECT count(*) FROM curated.events WHERE country IS NOT DISTINCT FROM $1", {std::nullopt}), "0");
  // Columns whose types only the parameters' values decide; BLOBs as hex digits.
  auto stream = session_->Execute(
      "SELECT CAST($1 AS INTEGER) + 1 AS p, $2 AS n, '\\xFF'::BLOB AS b "
      "FROM curated.events LIMIT 1",
      {"41", "x"});
  ASSERT_TRUE(stream.ok()) << stream.status().ToString();
  const std::vector<Column>& columns = (*stream)->columns();
  ASSERT_EQ(columns.size(), 3u);
  EXPECT_EQ(columns[0].type, ColumnType::kInteger);
  EXPECT_EQ(columns[1].name, "n");
  EXPECT_EQ(columns[2].type, ColumnType::kBlob);
  Row row;
  ASSERT_TRUE((*stream)->Next(&row).value());
  EXPECT_EQ(row, (Row{"42", "x", "ff"}));
  // Duplicate names stay as written.
  stream = session_->Execute("SELECT id AS n, country AS n FROM curated.events LIMIT 1", {});
  ASSERT_TRUE(stream.ok()) << stream.status().ToString();
  ASSERT_EQ((*stream)->columns().size(), 2u);
  EXPECT_EQ((*stream)->columns()[1].name, "n");
}

TEST_F(QueryServiceTest, OneDayQueryScansOnlyThatDaysFile) {
  EXPECT_EQ(Scanned("SELECT count(*) FROM curated.events"), 10);
  EXPECT_EQ(Scanned("SELECT count(*) FROM curated.events WHERE ts >= '2024-01-03' AND ts < '2024-01-04'"), 1);
  EXPECT_EQ(Scanned("SELECT count(*) FROM curated.events WHERE ts BETWEEN TIMESTAMP '2024-01-03' AND "
                    "TIMESTAMP '2024-01-04 23:00:00'"), 2);
  EXPECT_EQ(Scanned("SELECT count(*) FROM curated.events WHERE id IN (1, 30)"), 2);
  EXPECT_EQ(Scanned("SELECT count(*) FROM curated.events WHERE ts >= DATE '2024-01-09' + INTERVAL 1 DAY"), 1);
  // Not prunable: the null-supplying side of an outer join, OR, and non-constant comparisons.
  EXPECT_EQ(Scanned("SELECT count(*) FROM (SELECT 1 AS k) a LEFT JOIN curated.events e ON true "
                    "WHERE e.id IS NULL OR e.id = 3"), 10);
  EXPECT_EQ(Scanned("SELECT count(*) FROM curated.events WHERE ts > now() - INTERVAL 1 DAY"), 10);
  EXPECT_EQ(One("SELECT count(*) FROM curated.events WHERE ts >= '2024-01-03' AND ts < '2024-01-04'"), "24");
  // Bound parameters prune as their values cast to the column type.
  std::string two_days = "SELECT count(*) FROM curated.events WHERE ts >= $1 AND ts < $2 AND id <> $3";
  EXPECT_EQ(Scanned(two_days, {"2024-01-03", "2024-01-05", "0"}), 2);
  EXPECT_EQ(One(two_days, {"2024-01-03", "2024-01-05", "0"}), "48");
  EXPECT_EQ(Scanned("SELECT count(*) FROM curated.events WHERE id = ?", {std::nullopt}), 10);
  EXPECT_EQ(Scanned("SELECT count(*) FROM curated.events WHERE id IN (?, ?)", {"5", "200"}), 2);
}

// Pruning never changes a result: every predicate gives the same rows as the same predicate
// applied above an unpruned read.
TEST_F(QueryServiceTest, PrunedResultsEqualUnprunedResults) {
  const char* predicates[] = {
      "id = 100", "id < 50", "id <= 48", "id > 200", "id >= 239", "50 > id", "id BETWEEN 20 AND 70",
      "id IN (0, 99, 238)", "amount > 100.25", "amount >= 100", "id > 47.5", "id < 47.5",
      "ts < TIMESTAMP '2024-01-02 00:00:00'", "ts <= TIMESTAMPTZ '2024-01-02 00:00:00+00'",
      "ts > DATE '2024-01-05'", "ts >= '2024-01-05 12:30:00'", "country = 'US'", "country > 'E'",
      "country IS NULL", "country IS NOT NULL", "ts = TIMESTAMP '2024-01-04 05:00:00'",
      "id = 10 AND country = 'DE'", "CAST(id AS VARCHAR) = '5'", "amount = 1",
  };
  for (const char* p : predicates) {
    std::string pruned = One(std::string("SELECT count(*) || '/' || coalesce(sum(id), 0) FROM curated.events WHERE ") + p);
    std::string all = One(std::string("SELECT count(*) || '/' || coalesce(sum(id), 0) FROM "
                                      "(SELECT * FROM curated.events) WHERE ") + p);
    EXPECT_EQ(pruned, all) << p;
  }
  // Inexact constants are not used for pruning (id > 47.5 is not id > 48 for DuckDB's casts).
  EXPECT_EQ(Scanned("SELECT * FROM curated.events WHERE id > 47.5"), 10);
  EXPECT_EQ(Scanned("SELECT * FROM curated.events WHERE id > 47"), 8);
}

TEST_F(QueryServiceTest, TimeTravelBySnapshotTimestampAndTag) {
  ASSERT_GE(table_->metadata().snapshots.size(), 10u);
  const iceberg::Snapshot third = table_->metadata().snapshots[2];
  EXPECT_EQ(One("SELECT count(*) FROM curated.events FOR SYSTEM_VERSION AS OF " +
                std::to_string(third.snapshot_id)), "72");
  EXPECT_EQ(One("SELECT count(*) FROM curated.events FOR VERSION AS OF " +
                std::to_string(third.snapshot_id) + " AS e WHERE e.id < 30"), "30");
  ASSERT_TRUE(table_->SetTag("v3", third.snapshot_id).ok());
  EXPECT_EQ(One("SELECT count(*) FROM curated.events FOR SYSTEM_VERSION AS OF 'v3'"), "72");
  // Timestamps: the snapshot current at that time.
  std::string at = One("SELECT CAST(make_timestamptz(" + std::to_string(third.timestamp_ms) +
                       " * 1000) AS VARCHAR)");
  EXPECT_EQ(One("SELECT count(*) FROM curated.events FOR SYSTEM_TIME AS OF TIMESTAMPTZ '" + at + "'"), "72");
  // Old and new versions in one statement.
  EXPECT_EQ(One("SELECT (SELECT count(*) FROM curated.events) - (SELECT count(*) FROM curated.events "
                "FOR SYSTEM_VERSION AS OF " + std::to_string(third.snapshot_id) + ")"), "168");
  EXPECT_EQ(Error("SELECT * FROM curated.events FOR SYSTEM_VERSION AS OF 42").code(), ErrorCode::kNotFound);
  EXPECT_EQ(Error("SELECT * FROM curated.events FOR SYSTEM_TIME AS OF TIMESTAMP '2000-01-01'").code(),
            ErrorCode::kNotFound);
}

TEST_F(QueryServiceTest, RenamedAndAddedColumnsReadAcrossOldFiles) {
  schema::Schema next = schema::Schema::Make({F(1, "id", true, Prim(TypeId::kLong)),
                                              F(2, "ts", true, Prim(TypeId::kTimestampTz)),
                                              F(3, "country_code", false, Prim(TypeId::kString)),
                                              F(4, "amount", false, Prim(TypeId::kDouble)),
                                              F(5, "channel", false, Prim(TypeId::kString))})
                            .value();
  ASSERT_TRUE(table_->SetCurrentSchema(next).ok());
  Load("SELECT 1000 AS id, TIMESTAMPTZ '2024-01-20 00:00:00+00' AS ts, 'BR' AS country_code, "
       "1.0 AS amount, 'web' AS channel");
  EXPECT_EQ(One("SELECT count(*) FROM curated.events WHERE country_code = 'US'"), "80");
  EXPECT_EQ(One("SELECT count(*) FROM curated.events WHERE channel IS NULL"), "240");
  EXPECT_EQ(One("SELECT country_code || '/' || channel FROM curated.events WHERE id = 1000"), "BR/web");
  EXPECT_NE(Error("SELECT country FROM curated.events").code(), ErrorCode::kOk);
}

TEST_F(QueryServiceTest, DeletesAreApplied) {
  iceberg::Filter f{iceberg::Predicate{"country", 0, iceberg::Op::kEq, {iceberg::Literal::String("FR")}}};
  auto r = engine::DeleteFromTable(*writer_, *table_, f);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(One("SELECT count(*) FROM curated.events"), "160");
  EXPECT_EQ(One("SELECT count(*) FROM curated.events WHERE country = 'FR'"), "0");
}

TEST_F(QueryServiceTest, CatalogViewsListReadableTables) {
  auto rows = Rows("SELECT table_schema, table_name FROM information_schema.tables "
                   "WHERE table_schema IN ('curated', 'serving')");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(*rows[0][1], "events");
  EXPECT_EQ(One("SELECT count(*) FROM information_schema.columns WHERE table_name = 'events'"), "4");
  // A table created after the session opened is listed and readable at the next statement.
  auto md = iceberg::NewTableMetadata(table_->metadata().CurrentSchema()->fields().empty()
                                          ? schema::Schema()
                                          : *table_->metadata().CurrentSchema(),
                                      iceberg::PartitionSpec{}, iceberg::SortOrder{},
                                      tables_->DefaultLocation("serving", "daily"), {}, NewUuid(), 1000)
                .value();
  ASSERT_TRUE(tables_->Create("serving", "daily", md).ok());
  EXPECT_EQ(One("SELECT count(*) FROM serving.daily"), "0");
  EXPECT_EQ(One("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'serving'"), "1");
}

TEST_F(QueryServiceTest, SandboxRefusesFilesWritesSettingsAndExtensions) {
  struct Case {
    std::string sql;
    ErrorCode code;
  };
  std::vector<Case> cases = {
      {"SELECT * FROM read_csv('/etc/passwd')", ErrorCode::kPermissionDenied},
      {"SELECT * FROM read_text('" + dir_.string() + "/curated/../_tarn/catalog.db')", ErrorCode::kPermissionDenied},
      {"SELECT * FROM read_text('" + dir_.string() + "/_tarn/admin.token')", ErrorCode::kPermissionDenied},
      {"SELECT * FROM read_parquet('http://127.0.0.1:9/x.parquet')", ErrorCode::kPermissionDenied},
      {"COPY (SELECT 1) TO '" + dir_.string() + "/curated/x.csv'", ErrorCode::kPermissionDenied},
      {"CREATE TABLE t AS SELECT 1", ErrorCode::kPermissionDenied},
      {"INSERT INTO curated.events SELECT * FROM curated.events", ErrorCode::kPermissionDenied},
      {"DELETE FROM curated.events", ErrorCode::kPermissionDenied},
      {"ATTACH '" + dir_.string() + "/curated/x.db'", ErrorCode::kPermissionDenied},
      {"SET threads = 1", ErrorCode::kPermissionDenied},
      {"SELECT set_config('threads', '1', false)", ErrorCode::kInvalidArgument},
      {"INSTALL httpfs", ErrorCode::kPermissionDenied},
      {"LOAD httpfs", ErrorCode::kPermissionDenied},
      {"PRAGMA enable_profiling", ErrorCode::kPermissionDenied},
      {"SELECT * FROM raw.user_events", ErrorCode::kPermissionDenied},
      {"SELECT * FROM curated.nope", ErrorCode::kNotFound},
      {"SELEC 1", ErrorCode::kInvalidArgument},
  };
  for (const Case& c : cases) {
    Status st = Error(c.sql);
    EXPECT_EQ(st.code(), c.code) << c.sql << " -> " << st.ToString();
    EXPECT_FALSE(st.message().empty());
  }
  EXPECT_FALSE(fs::exists(dir_ / "curated" / "x.csv"));
  EXPECT_FALSE(fs::exists(dir_ / "curated" / "x.db"));
  // The session still works.
  EXPECT_EQ(One("SELECT count(*) FROM curated.events"), "240");
}

TEST_F(QueryServiceTest, ZoneGrantsDecideWhatIsReadable) {
  auto md = iceberg::NewTableMetadata(*table_->metadata().CurrentSchema(), iceberg::PartitionSpec{},
                                      iceberg::SortOrder{}, tables_->DefaultLocation("serving", "daily"),
                                      {}, NewUuid(), 1000)
                .value();
  ASSERT_TRUE(tables_->Create("serving", "daily", md).ok());
  auto curated_only = service_->OpenSession(catalog::Grants::Parse("curated:read").value());
  ASSERT_TRUE(curated_only.ok());
  Session& s = **curated_only;
  EXPECT_EQ(Rows("SELECT count(*) FROM curated.events", {}, &s).size(), 1u);
  Status denied = Error("SELECT * FROM serving.daily", &s);
  EXPECT_EQ(denied.code(), ErrorCode::kPermissionDenied) << denied.ToString();
  // Nor through the files: the serving directory is outside the session's sandbox.
  Status files = Error("SELECT * FROM glob('" + dir_.string() + "/serving/**')", &s);
  EXPECT_EQ(files.code(), ErrorCode::kPermissionDenied) << files.ToString();
  EXPECT_EQ(Rows("SELECT * FROM information_schema.tables WHERE table_schema = 'serving'", {}, &s).size(), 0u);
}

TEST_F(QueryServiceTest, TimeLimitMemoryLimitAndInterrupt) {
  QueryLimits limits;
  limits.timeout_seconds = 0.5;
  limits.memory_bytes = 64 << 20;
  QueryService strict(*lake_, limits);
  auto session = strict.OpenSession(catalog::Grants::Admin());
  ASSERT_TRUE(session.ok());
  Status slow = Error("SELECT count(*) FROM range(10000000000) a", session->get());
  EXPECT_EQ(slow.code(), ErrorCode::kUnavailable) << slow.ToString();
  EXPECT_NE(slow.message().find("time limit"), std::string::npos) << slow.message();
  Status big = Error("SELECT list(i) FROM range(100000000) r(i)", session->get());
  EXPECT_EQ(big.code(), ErrorCode::kResourceExhausted) << big.ToString();
  EXPECT_NE(big.message().find("memory limit"), std::string::npos) << big.message();

  std::thread canceller([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    session_->Interrupt();
  });
  Status canceled = Error("SELECT count(*) FROM range(10000000000) a");
  canceller.join();
  EXPECT_EQ(canceled.code(), ErrorCode::kUnavailable) << canceled.ToString();
  EXPECT_EQ(One("SELECT 1"), "1");
}

TEST_F(QueryServiceTest, ExportsParquet) {
  fs::path out_dir = dir_ / "export";
  fs::create_directories(out_dir);
  auto session = service_->OpenSession(catalog::Grants::Admin(), out_dir.string());
  ASSERT_TRUE(session.ok());
  std::string path = (out_dir / "us.parquet").string();
  ASSERT_TRUE((*session)->ExportParquet("SELECT id, ts FROM curated.events WHERE country = 'US'", path).ok());
  // Only the exporting session may touch the export directory.
  EXPECT_EQ(Error("SELECT count(*) FROM read_parquet('" + path + "')").code(), ErrorCode::kPermissionDenied);
  auto reader = engine::DuckDb::Open().value();
  std::string count;
  ASSERT_TRUE(reader->Query("SELECT CAST(count(*) AS VARCHAR) FROM read_parquet('" + path + "')", {},
                            [&](const engine::Row& r) {
                              count = *r[0];
                              return Status::OK();
                            }).ok());
  EXPECT_EQ(count, "80");
}

}  // namespace
}  // namespace tarn::query
