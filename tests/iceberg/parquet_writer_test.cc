// Writing Iceberg data files through DuckDB, checked by reading them back with DuckDB: field
// ids, row counts, rows grouped by their partition tuple (recomputed with iceberg::Apply),
// partition paths, bounds against the true per-file extremes, size rotation, split offsets.
#include "tarn/engine/parquet_writer.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <set>

#include "iceberg/parquet_test_util.h"
#include "tarn/iceberg/transforms.h"

namespace tarn::engine::testing {
namespace {

namespace fs = std::filesystem;
using iceberg::DataFile;
using iceberg::Literal;
using iceberg::Transform;

constexpr char kEventsJson[] = R"json({"type": "struct", "fields": [
  {"id": 1, "name": "id", "required": true, "type": "long"},
  {"id": 2, "name": "ts", "required": false, "type": "timestamptz"},
  {"id": 3, "name": "country", "required": false, "type": "string"},
  {"id": 4, "name": "user_id", "required": false, "type": "long"},
  {"id": 5, "name": "amount", "required": false, "type": "decimal(12,2)"},
  {"id": 6, "name": "tags", "required": false, "type": {"type": "list", "element-id": 7,
   "element": "string", "element-required": false}},
  {"id": 8, "name": "attrs", "required": false, "type": {"type": "map", "key-id": 9,
   "key": "string", "value-id": 10, "value": "long", "value-required": false}},
  {"id": 11, "name": "info", "required": false, "type": {"type": "struct", "fields": [
    {"id": 12, "name": "note", "required": false, "type": "string"},
    {"id": 13, "name": "score", "required": false, "type": "double"}]}}]})json";

// Two UTC days, four countries (one NULL, one with characters unsafe in paths), three
// truncated amounts (negative ones round down), user ids over four buckets. Columns come in
// another order than the schema's, and `info` is absent.
constexpr char kEventsSql[] = R"(SELECT (i * 7919) % 1000 AS user_id, i AS id,
  TIMESTAMPTZ '2024-01-15 00:00:00+00' + to_minutes((i * 13) % 2880) AS ts,
  CASE i % 4 WHEN 0 THEN 'US' WHEN 1 THEN 'DE' WHEN 2 THEN 'a/b c=%' END AS country,
  (i % 3) * 1.37 - 3 AS amount, ['t' || (i % 5), NULL] AS tags,
  map(['k' || (i % 3)], [i]) AS attrs FROM range(20000) r(i))";

std::string Repeat(const std::string& s, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += s;
  return out;
}

iceberg::PartitionSpec EventsSpec() {
  return {0,
          {{2, 1000, "ts_day", {Transform::kDay}},
           {3, 1001, "country", {Transform::kIdentity}},
           {4, 1002, "user_bucket", {Transform::kBucket, 4}},
           {5, 1003, "amount_trunc", {Transform::kTruncate, 10}}}};
}

class ParquetWriterTest : public ParquetTest {
 protected:
  std::vector<DataFile> Write(const std::string& sql, const schema::Schema& schema,
                              const iceberg::PartitionSpec& spec,
                              const DataFileWriteOptions& options) {
    auto files = WriteDataFiles(*db_, sql, schema, spec, data_dir_, kPrefix, options);
    EXPECT_TRUE(files.ok()) << files.status().ToString();
    return files.ok() ? *files : std::vector<DataFile>{};
  }

  // Every row of `f` maps to f's partition tuple: `source_sql` selects each partition field's
  // source column as SourceLiteral text.
  void ExpectRowsInTuple(const DataFile& f, const iceberg::PartitionSpec& spec,
                         const schema::Schema& schema, const std::string& source_sql) {
    ASSERT_EQ(f.partition.size(), spec.fields.size());
    auto rows = Rows("SELECT " + source_sql + " FROM " + ReadParquet(f));
    ASSERT_EQ(static_cast<int64_t>(rows.size()), f.record_count);
    for (const Row& row : rows) {
      for (size_t i = 0; i < spec.fields.size(); ++i) {
        Literal source = SourceLiteral(Prim(schema, spec.fields[i].source_id), row[i]);
        auto expected = iceberg::Apply(spec.fields[i].transform, source);
        ASSERT_TRUE(expected.ok()) << expected.status().ToString();
        ASSERT_EQ(*expected, f.partition[i])
            << f.file_path << " field " << spec.fields[i].name << " source " << source.ToString();
      }
    }
  }

  // DuckDB rotates a file once it has passed the target, so it can overshoot by the row groups
  // buffered and being written at that moment: one, plus at most one per thread.
  void ExpectSizeAndSplits(const DataFile& f, int64_t target) {
    EXPECT_EQ(f.file_size_in_bytes, static_cast<int64_t>(fs::file_size(Local(f))));
    auto groups = Rows(
        "SELECT CAST(max(row_group_compressed_bytes) AS VARCHAR), "
        "CAST(count(DISTINCT row_group_id) AS VARCHAR), CAST(current_setting('threads') AS "
        "VARCHAR) FROM parquet_metadata('" +
        Local(f) + "')");
    int64_t slack = std::stoll(*groups[0][0]) * (std::stoll(*groups[0][2]) + 1) + 4096;
    EXPECT_LE(f.file_size_in_bytes, target + slack) << f.file_path;
    ASSERT_EQ(f.split_offsets.size(), std::stoull(*groups[0][1]));
    EXPECT_EQ(f.split_offsets.front(), 4);  // after the "PAR1" magic
    EXPECT_TRUE(std::is_sorted(f.split_offsets.begin(), f.split_offsets.end()));
  }

  // For each (field id, SQL with "%s" for an aggregate): the file's bounds are the min and max
  // DuckDB reads from it.
  void ExpectBounds(const DataFile& f, const schema::Schema& schema,
                    const std::vector<std::pair<int, std::string>>& columns) {
    std::string select;
    for (const auto& [id, sql] : columns) {
      for (std::string agg : {"min", "max"}) {
        std::string expr = sql;
        select += (select.empty() ? "" : ", ") + expr.replace(expr.find("%s"), 2, agg);
      }
    }
    Row r = Rows("SELECT " + select + " FROM " + ReadParquet(f))[0];
    for (size_t i = 0; i < columns.size(); ++i) {
      iceberg::PrimitiveType type = Prim(schema, columns[i].first);
      EXPECT_EQ(Bound(f.lower_bounds, schema, columns[i].first), SourceLiteral(type, r[2 * i]))
          << columns[i].second;
      EXPECT_EQ(Bound(f.upper_bounds, schema, columns[i].first), SourceLiteral(type, r[2 * i + 1]))
          << columns[i].second;
    }
  }

  // Counts and bounds of an events file against what DuckDB reads from it.
  void ExpectEventMetrics(const DataFile& f, const schema::Schema& schema) {
    // Top-level metrics count every row; list and map leaves count their entries.
    EXPECT_EQ(f.value_counts.at(1), f.record_count);
    EXPECT_EQ(f.value_counts.at(7), 2 * f.record_count);
    EXPECT_EQ(f.null_value_counts.at(7), f.record_count);
    EXPECT_EQ(f.null_value_counts.at(12), f.record_count);  // absent: written as NULL
    for (int id : {1, 2, 3, 4, 5, 7, 9, 10, 12, 13}) EXPECT_GT(f.column_sizes.count(id), 0u) << id;
    EXPECT_EQ(f.lower_bounds.count(7), 0u) << "no bounds inside lists";
    ExpectBounds(f, schema,
                 {{1, "CAST(%s(id) AS VARCHAR)"},
                  {2, "CAST(epoch_us(%s(ts)) AS VARCHAR)"},
                  {3, "%s(country)"},
                  {5, "CAST(%s(amount) AS VARCHAR)"}});
    auto nulls = One("SELECT CAST(count(*) - count(country) AS VARCHAR) FROM " + ReadParquet(f));
    EXPECT_EQ(f.null_value_counts.at(3), std::stoll(nulls));
  }

  void ExpectEventFieldIds(const DataFile& f) {
    auto ids = FieldIds(f);
    std::vector<std::pair<std::string, int>> expected{
        {"id", 1},    {"ts", 2},      {"country", 3}, {"user_id", 4}, {"amount", 5},
        {"tags", 6},  {"element", 7}, {"attrs", 8},   {"key", 9},     {"value", 10},
        {"info", 11}, {"note", 12},   {"score", 13}};
    for (const auto& [name, id] : expected) {
      auto [lo, hi] = ids.equal_range(name);
      EXPECT_TRUE(lo != hi && lo->second == id) << name;
    }
  }
};

TEST_F(ParquetWriterTest, PartitionedFilesHoldOnlyTheirTupleWithTrueBounds) {
  schema::Schema schema = MakeSchema(kEventsJson);
  iceberg::PartitionSpec spec = EventsSpec();
  // Days are UTC days whatever the session's time zone.
  ASSERT_TRUE(db_->Exec("SET TimeZone = 'America/New_York'").ok());
  std::vector<DataFile> files = Write(kEventsSql, schema, spec, {});
  ASSERT_EQ(files.size(), 2u * 4 * 4 * 3);  // one file per partition at the default target

  int64_t total = 0;
  std::set<std::string> dirs;
  for (const DataFile& f : files) {
    total += f.record_count;
    EXPECT_EQ(f.content, iceberg::FileContent::kData);
    EXPECT_EQ(f.file_format, "PARQUET");
    ASSERT_EQ(f.file_path.rfind(kPrefix, 0), 0u) << f.file_path;
    std::string dir = f.file_path.substr(std::string(kPrefix).size());
    dirs.insert(dir.substr(0, dir.find("/user_bucket=")));
    ExpectRowsInTuple(f, spec, schema,
                      "CAST(epoch_us(ts) AS VARCHAR), country, CAST(user_id AS VARCHAR), "
                      "CAST(amount AS VARCHAR)");
    ExpectEventMetrics(f, schema);
    ExpectSizeAndSplits(f, DataFileWriteOptions{}.target_file_size_bytes);
  }
  EXPECT_EQ(total, 20000);
  EXPECT_EQ(
      One("SELECT CAST(count(*) AS VARCHAR) FROM read_parquet('" + data_dir_ + "/**/*.parquet')"),
      "20000");
  EXPECT_TRUE(dirs.count("ts_day=2024-01-15/country=US"));
  EXPECT_TRUE(dirs.count("ts_day=2024-01-16/country=a%2Fb%20c%3D%25"));
  EXPECT_TRUE(dirs.count("ts_day=2024-01-16/country=null"));
  ExpectEventFieldIds(files[0]);
}

TEST_F(ParquetWriterTest, SmallTargetSplitsEveryPartitionIntoSeveralFiles) {
  schema::Schema schema = MakeSchema(kEventsJson);
  iceberg::PartitionSpec spec{
      0,
      {{2, 1000, "ts_day", {Transform::kDay}}, {4, 1001, "user_bucket", {Transform::kBucket, 4}}}};
  DataFileWriteOptions options;
  options.target_file_size_bytes = 32 << 10;
  options.row_group_rows = 2048;
  std::string sql = kEventsSql;
  sql.replace(sql.find("range(20000)"), 12, "range(100000)");
  std::vector<DataFile> files = Write(sql, schema, spec, options);

  int64_t total = 0;
  std::map<std::string, int> files_per_dir;
  for (const DataFile& f : files) {
    total += f.record_count;
    files_per_dir[f.file_path.substr(0, f.file_path.rfind('/'))]++;
    ExpectRowsInTuple(f, spec, schema, "CAST(epoch_us(ts) AS VARCHAR), CAST(user_id AS VARCHAR)");
    ExpectSizeAndSplits(f, options.target_file_size_bytes);
  }
  EXPECT_EQ(total, 100000);
  EXPECT_EQ(files_per_dir.size(), 8u);
  for (const auto& [dir, n] : files_per_dir) EXPECT_GT(n, 1) << dir;
}

TEST_F(ParquetWriterTest, UnpartitionedRotatesBySizeAndTruncatesStringBounds) {
  schema::Schema schema = MakeSchema(kEventsJson);
  DataFileWriteOptions options;
  options.target_file_size_bytes = 64 << 10;
  options.row_group_rows = 5000;
  std::vector<DataFile> files = Write(
      "SELECT i AS id, {'note': repeat('é', 20) || lpad(CAST(i AS VARCHAR), 6, '0'), "
      "'score': i / 3} AS info FROM range(100000) r(i)",
      schema, iceberg::PartitionSpec{}, options);
  ASSERT_GT(files.size(), 2u);
  int64_t total = 0;
  for (const DataFile& f : files) {
    total += f.record_count;
    EXPECT_TRUE(f.partition.empty());
    EXPECT_EQ(f.file_path.find('/', std::string(kPrefix).size()), std::string::npos);
    ExpectSizeAndSplits(f, options.target_file_size_bytes);
    // 16 characters: the lower bound a prefix, the upper one past every value.
    EXPECT_EQ(Bound(f.lower_bounds, schema, 12).s, Repeat("é", 16));
    EXPECT_EQ(Bound(f.upper_bounds, schema, 12).s, Repeat("é", 15) + "ê");
    auto r = Rows("SELECT CAST(min(id) AS VARCHAR), CAST(max(info.score) AS VARCHAR) FROM " +
                  ReadParquet(f))[0];
    EXPECT_EQ(Bound(f.lower_bounds, schema, 1), Literal::Long(std::stoll(*r[0])));
    EXPECT_EQ(Bound(f.upper_bounds, schema, 13), Literal::Double(std::stod(*r[1])));
  }
  EXPECT_EQ(total, 100000);
}

TEST_F(ParquetWriterTest, TimeAndByteTransformsMatchIcebergApply) {
  schema::Schema schema = MakeSchema(R"json({"type": "struct", "fields": [
    {"id": 1, "name": "d", "required": false, "type": "date"},
    {"id": 2, "name": "ts", "required": false, "type": "timestamp"},
    {"id": 3, "name": "name", "required": false, "type": "string"},
    {"id": 4, "name": "amount", "required": false, "type": "decimal(9,3)"},
    {"id": 5, "name": "uid", "required": false, "type": "uuid"},
    {"id": 6, "name": "flag", "required": false, "type": "boolean"},
    {"id": 7, "name": "n", "required": false, "type": "int"},
    {"id": 8, "name": "s", "required": false, "type": {"type": "struct", "fields": [
      {"id": 9, "name": "k", "required": false, "type": "string"}]}},
    {"id": 10, "name": "t", "required": false, "type": "time"}]})json");
  iceberg::PartitionSpec spec{0,
                              {{1, 1000, "d_year", {Transform::kYear}},
                               {2, 1001, "ts_month", {Transform::kMonth}},
                               {2, 1002, "ts_hour", {Transform::kHour}},
                               {3, 1003, "name_trunc", {Transform::kTruncate, 3}},
                               {3, 1004, "name_bucket", {Transform::kBucket, 8}},
                               {4, 1005, "amount_bucket", {Transform::kBucket, 5}},
                               {1, 1006, "d_bucket", {Transform::kBucket, 3}},
                               {5, 1007, "uid_bucket", {Transform::kBucket, 4}},
                               {6, 1008, "flag", {Transform::kIdentity}},
                               {7, 1009, "n_trunc", {Transform::kTruncate, 7}},
                               {9, 1010, "s_k", {Transform::kIdentity}}}};
  std::vector<DataFile> files = Write(
      "SELECT DATE '1969-12-20' + CAST(i * 11 AS INTEGER) AS d, "
      "TIMESTAMP '1969-12-31 22:30:00' + to_minutes(i * 97) AS ts, "
      "CASE WHEN i % 7 = 0 THEN NULL ELSE 'ünï' || chr(CAST(128512 + i % 3 AS INTEGER)) || i END "
      "AS name, "
      "CAST(i * 1.5 - 20 AS DECIMAL(9,3)) AS amount, "
      "CAST(md5(CAST(i AS VARCHAR)) AS UUID) AS uid, i % 2 = 0 AS flag, i - 30 AS n, "
      "{'k': 'k' || (i % 2)} AS s, TIME '01:02:03.5' + to_seconds(i) AS t "
      "FROM range(60) r(i)",
      schema, spec, {});
  int64_t total = 0;
  for (const DataFile& f : files) {
    total += f.record_count;
    ExpectRowsInTuple(f, spec, schema,
                      "CAST(d - DATE '1970-01-01' AS VARCHAR), CAST(epoch_us(ts) AS VARCHAR), "
                      "CAST(epoch_us(ts) AS VARCHAR), name, name, CAST(amount AS VARCHAR), "
                      "CAST(d - DATE '1970-01-01' AS VARCHAR), "
                      "replace(CAST(uid AS VARCHAR), '-', ''), CAST(flag AS VARCHAR), "
                      "CAST(n AS VARCHAR), s.k");
    ExpectBounds(f, schema,
                 {{1, "CAST(%s(d) - DATE '1970-01-01' AS VARCHAR)"},
                  {2, "CAST(epoch_us(%s(ts)) AS VARCHAR)"},
                  {3, "%s(name)"},
                  {4, "CAST(%s(amount) AS VARCHAR)"},
                  {5, "replace(CAST(%s(uid) AS VARCHAR), '-', '')"},
                  {6, "CAST(%s(flag) AS VARCHAR)"},
                  {7, "CAST(%s(n) AS VARCHAR)"},
                  {9, "%s(s.k)"},
                  {10, "CAST(epoch_us(%s(t)) AS VARCHAR)"}});
  }
  EXPECT_EQ(total, 60);
}

TEST_F(ParquetWriterTest, RejectsQueriesThatDoNotFitTheSchemaAndLeavesNothing) {
  schema::Schema schema = MakeSchema(kEventsJson);
  auto write = [&](const std::string& sql) {
    return WriteDataFiles(*db_, sql, schema, EventsSpec(), data_dir_, kPrefix, {});
  };
  auto extra = write("SELECT 1 AS id, 2 AS nope");
  EXPECT_EQ(extra.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(extra.status().message().find("nope"), std::string::npos);
  auto missing = write("SELECT 'US' AS country");
  EXPECT_EQ(missing.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(missing.status().message().find("id"), std::string::npos);
  auto null_id = write("SELECT CASE WHEN i = 5 THEN NULL ELSE i END AS id FROM range(10) r(i)");
  EXPECT_EQ(null_id.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(null_id.status().message().find("required field id is NULL"), std::string::npos)
      << null_id.status().ToString();
  auto bad_sql = write("SELECT FROM nowhere");
  EXPECT_EQ(bad_sql.status().code(), ErrorCode::kInvalidArgument);
  auto bad_spec =
      WriteDataFiles(*db_, "SELECT 1 AS id", schema, {0, {{3, 1000, "c_day", {Transform::kDay}}}},
                     data_dir_, kPrefix, {});
  EXPECT_EQ(bad_spec.status().code(), ErrorCode::kInvalidArgument);

  auto empty = write("SELECT i AS id FROM range(0) r(i)");
  ASSERT_TRUE(empty.ok()) << empty.status().ToString();
  EXPECT_TRUE(empty->empty());
  auto unpartitioned =
      WriteDataFiles(*db_, "SELECT i AS id FROM range(0) r(i)", schema, {}, data_dir_, kPrefix, {});
  ASSERT_TRUE(unpartitioned.ok());
  EXPECT_TRUE(unpartitioned->empty());
  EXPECT_TRUE(fs::is_empty(data_dir_)) << "no files and no scratch directories remain";
}

}  // namespace
}  // namespace tarn::engine::testing
