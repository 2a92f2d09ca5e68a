// IcebergScanSql on hand-made plans over Parquet files that DuckDB writes with field ids:
// reading by id across renames, position and equality deletes per task, empty plans, errors.
#include "tarn/engine/iceberg_read.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "schema/schema_test_util.h"
#include "tarn/engine/duckdb_engine.h"
#include "tarn/iceberg/delete_index.h"

namespace tarn::engine {
namespace {

namespace fs = std::filesystem;
using iceberg::DataFile;
using iceberg::FileContent;
using iceberg::FileScanTask;
using iceberg::ScanPlan;
using schema::TypeId;
using schema::testing::F;
using schema::testing::Prim;

// Current schema: id long (1), label string (2, once called "name"), tags list<string> (3/4).
schema::Schema ReadSchema() {
  auto tags = std::make_shared<schema::Type>();
  tags->id = TypeId::kList;
  tags->element = F(4, "element", false, Prim(TypeId::kString));
  return schema::Schema::Make({F(1, "id", true, Prim(TypeId::kLong)),
                               F(2, "label", false, Prim(TypeId::kString)),
                               F(3, "tags", false, tags)})
      .value();
}

class IcebergReadTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/tarn-iceberg-read-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    db_ = std::move(DuckDb::Open().value());
    io_ = iceberg::MakeLocalFileIO("s3://b/t", dir_);
    // Two data files: ids 0..9 (old column name "name"), ids 10..14.
    Copy("SELECT i::BIGINT AS id, 'n' || i AS name, ['x'] AS tags FROM range(10) t(i)",
         "d1.parquet", "{id: 1, name: 2, tags: {__duckdb_field_id: 3, element: 4}}");
    Copy("SELECT i::BIGINT AS id, 'n' || i AS label FROM range(10, 15) t(i)", "d2.parquet",
         "{id: 1, label: 2}");
    // Position deletes: rows 0 and 3 of d1, row 0 of d2 (by location, not local path).
    Copy(
        "SELECT * FROM (VALUES ('s3://b/t/d1.parquet', 0::BIGINT), "
        "('s3://b/t/d1.parquet', 3::BIGINT), ('s3://b/t/d2.parquet', 0::BIGINT)) "
        "v(file_path, pos)",
        "pos.parquet", "{file_path: 2147483546, pos: 2147483545}");
    // Equality deletes on label.
    Copy("SELECT * FROM (VALUES ('n5'), ('n12')) v(name)", "eq.parquet", "{name: 2}");
  }
  void TearDown() override { fs::remove_all(dir_); }

  void Copy(const std::string& select, const std::string& file, const std::string& ids) {
    Status st = db_->Exec("COPY (" + select + ") TO '" + dir_ + "/" + file +
                          "' (FORMAT parquet, FIELD_IDS " + ids + ")");
    ASSERT_TRUE(st.ok()) << st.ToString();
  }

  static DataFile File(const std::string& name, FileContent content = FileContent::kData) {
    DataFile f;
    f.content = content;
    f.file_path = "s3://b/t/" + name;
    if (content == FileContent::kEqualityDeletes) f.equality_ids = {2};
    return f;
  }

  std::vector<std::string> Ids(const ScanPlan& plan) {
    auto sql = IcebergScanSql(plan, ReadSchema(), *io_);
    EXPECT_TRUE(sql.ok()) << sql.status().ToString();
    std::vector<std::string> out;
    if (!sql.ok()) return out;
    Status st =
        db_->Query("SELECT id::VARCHAR FROM (" + *sql + ") ORDER BY id", {}, [&](const Row& r) {
          out.push_back(r[0].value_or("NULL"));
          return Status::OK();
        });
    EXPECT_TRUE(st.ok()) << st.ToString() << "\n" << *sql;
    return out;
  }

  std::string dir_;
  std::unique_ptr<DuckDb> db_;
  std::unique_ptr<iceberg::FileIO> io_;
};

TEST_F(IcebergReadTest, ReadsByFieldIdAcrossRenamesAndNestedColumns) {
  ScanPlan plan;
  plan.tasks = {FileScanTask{File("d1.parquet"), 0, 1, {}},
                FileScanTask{File("d2.parquet"), 0, 1, {}}};
  auto sql = IcebergScanSql(plan, ReadSchema(), *io_).value();
  std::vector<Row> rows;
  ASSERT_TRUE(db_->Query("SELECT label, tags::VARCHAR FROM (" + sql +
                             ") WHERE id IN (1, 11) "
                             "ORDER BY id",
                         {},
                         [&](const Row& r) {
                           rows.push_back(r);
                           return Status::OK();
                         })
                  .ok());
  EXPECT_EQ(rows, (std::vector<Row>{{"n1", "[x]"}, {"n11", std::nullopt}}));
}

TEST_F(IcebergReadTest, AppliesDeletesOnlyToTheTasksThatCarryThem) {
  DataFile pos = File("pos.parquet", FileContent::kPositionDeletes);
  DataFile eq = File("eq.parquet", FileContent::kEqualityDeletes);
  ScanPlan plan;
  plan.tasks = {FileScanTask{File("d1.parquet"), 0, 1, {pos, eq}},
                FileScanTask{File("d2.parquet"), 0, 2, {pos}}};
  // d1 loses rows 0 and 3 (positions) and n5 (equality); d2 loses row 0 but keeps n12.
  EXPECT_EQ(Ids(plan),
            (std::vector<std::string>{"1", "2", "4", "6", "7", "8", "9", "11", "12", "13", "14"}));
}

TEST_F(IcebergReadTest, ReportsRowPositionsOfLiveRows) {
  DataFile pos = File("pos.parquet", FileContent::kPositionDeletes);
  ScanPlan plan;
  plan.tasks = {FileScanTask{File("d1.parquet"), 0, 1, {pos}},
                FileScanTask{File("d2.parquet"), 0, 1, {}}};
  auto sql = IcebergScanSql(plan, ReadSchema(), *io_, ScanSqlOptions{.row_positions = true});
  ASSERT_TRUE(sql.ok()) << sql.status().ToString();
  std::vector<Row> rows;
  ASSERT_TRUE(db_->Query("SELECT CAST(id AS VARCHAR), _tarn_file_path, CAST(_tarn_pos AS VARCHAR) "
                         "FROM (" +
                             *sql + ") WHERE id IN (1, 3, 4, 10, 12) ORDER BY id",
                         {},
                         [&](const Row& r) {
                           rows.push_back(r);
                           return Status::OK();
                         })
                  .ok());
  // Positions in the file as the manifest names it; row 3 of d1 is deleted.
  EXPECT_EQ(rows, (std::vector<Row>{{"1", "s3://b/t/d1.parquet", "1"},
                                    {"4", "s3://b/t/d1.parquet", "4"},
                                    {"10", "s3://b/t/d2.parquet", "0"},
                                    {"12", "s3://b/t/d2.parquet", "2"}}));
  auto empty =
      IcebergScanSql(ScanPlan{}, ReadSchema(), *io_, ScanSqlOptions{.row_positions = true});
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(db_->Query("SELECT _tarn_file_path, CAST(_tarn_pos AS VARCHAR) FROM (" + *empty + ")",
                         {}, [](const Row&) { return Status::OK(); })
                  .ok());
}

TEST_F(IcebergReadTest, EmptyPlanHasTheColumnsAndNoRows) {
  auto sql = IcebergScanSql(ScanPlan{}, ReadSchema(), *io_);
  ASSERT_TRUE(sql.ok()) << sql.status().ToString();
  std::vector<Row> rows;
  ASSERT_TRUE(db_->Query("SELECT count(*)::VARCHAR, typeof(any_value(tags)) FROM (" + *sql + ")",
                         {},
                         [&](const Row& r) {
                           rows.push_back(r);
                           return Status::OK();
                         })
                  .ok());
  EXPECT_EQ(rows, (std::vector<Row>{{"0", "VARCHAR[]"}}));
}

TEST_F(IcebergReadTest, RejectsFilesItCannotRead) {
  ScanPlan plan;
  DataFile avro = File("x.avro");
  avro.file_format = "AVRO";
  plan.tasks = {FileScanTask{avro, 0, 1, {}}};
  EXPECT_EQ(IcebergScanSql(plan, ReadSchema(), *io_).status().code(), ErrorCode::kInvalidArgument);
  DataFile eq = File("eq.parquet", FileContent::kEqualityDeletes);
  eq.equality_ids = {99};
  plan.tasks = {FileScanTask{File("d1.parquet"), 0, 1, {eq}}};
  auto bad = IcebergScanSql(plan, ReadSchema(), *io_);
  EXPECT_EQ(bad.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("99"), std::string::npos);
}

TEST(DuckDbTypeTest, MapsIcebergTypes) {
  auto dec = std::make_shared<schema::Type>();
  dec->id = TypeId::kDecimal;
  dec->precision = 10;
  dec->scale = 2;
  EXPECT_EQ(DuckDbType(*dec), "DECIMAL(10,2)");
  EXPECT_EQ(DuckDbType(*Prim(TypeId::kTimestampTz)), "TIMESTAMPTZ");
  EXPECT_EQ(DuckDbType(*Prim(TypeId::kFixed)), "BLOB");
  auto s = std::make_shared<schema::Type>();
  s->id = TypeId::kStruct;
  s->fields = {F(5, "a b", false, Prim(TypeId::kInt))};
  auto m = std::make_shared<schema::Type>();
  m->id = TypeId::kMap;
  m->key = F(6, "key", true, Prim(TypeId::kString));
  m->value = F(7, "value", false, s);
  EXPECT_EQ(DuckDbType(*m), "MAP(VARCHAR, STRUCT(\"a b\" INTEGER))");
}

}  // namespace
}  // namespace tarn::engine
