// Shared values for the manifest tests: a table schema with one column per partition
// transform under test, a spec over it, and data files with every optional field set.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "tarn/iceberg/literal.h"
#include "tarn/iceberg/manifest.h"
#include "tarn/iceberg/table_metadata.h"
#include "tarn/iceberg/transforms.h"
#include "tarn/schema/schema.h"

namespace tarn::iceberg::manifest_testing {

// id long (1), region string (2), ts timestamptz (3), amount decimal(9,2) (4), score double
// (5), uid uuid (6).
inline schema::Schema TableSchema() {
  auto schema = schema::SchemaFromIcebergJson(R"json({"type": "struct", "fields": [
      {"id": 1, "name": "id", "required": true, "type": "long"},
      {"id": 2, "name": "region", "required": false, "type": "string"},
      {"id": 3, "name": "ts", "required": false, "type": "timestamptz"},
      {"id": 4, "name": "amount", "required": false, "type": "decimal(9,2)"},
      {"id": 5, "name": "score", "required": false, "type": "double"},
      {"id": 6, "name": "uid", "required": false, "type": "uuid"}]})json");
  EXPECT_TRUE(schema.ok()) << schema.status().ToString();
  return *schema;
}

inline Transform T(const std::string& text) { return *Transform::Parse(text); }

// Spec 3: identity(region) 1000, day(ts) 1001, bucket[16](id) 1002, truncate[10](amount)
// 1003, identity(score) 1004, identity(uid) 1005.
inline PartitionSpec TableSpec() {
  return PartitionSpec{3,
                       {{2, 1000, "region", T("identity")},
                        {3, 1001, "ts_day", T("day")},
                        {1, 1002, "id_bucket", T("bucket[16]")},
                        {4, 1003, "amount_trunc", T("truncate[10]")},
                        {5, 1004, "score", T("identity")},
                        {6, 1005, "uid", T("identity")}}};
}

inline Literal Dec(const std::string& text) { return *Literal::Decimal(text, 9, 2); }

// The partition tuple of a row, through the spec's transforms.
inline std::vector<Literal> Partition(const Literal& region, const Literal& ts, int64_t id,
                                      const Literal& amount, const Literal& score,
                                      const Literal& uid) {
  PartitionSpec spec = TableSpec();
  std::vector<Literal> source = {region, ts, Literal::Long(id), amount, score, uid};
  std::vector<Literal> out;
  for (size_t i = 0; i < source.size(); ++i) {
    auto v = Apply(spec.fields[i].transform, source[i]);
    EXPECT_TRUE(v.ok()) << v.status().ToString();
    out.push_back(*v);
  }
  return out;
}

inline DataFile FullDataFile(const std::string& path, std::vector<Literal> partition) {
  DataFile d;
  d.file_path = path;
  d.partition = std::move(partition);
  d.record_count = 1000;
  d.file_size_in_bytes = 65536;
  d.column_sizes = {{1, 4000}, {2, 1200}};
  d.value_counts = {{1, 1000}, {2, 1000}};
  d.null_value_counts = {{1, 0}, {2, 17}};
  d.nan_value_counts = {{5, 3}};
  d.lower_bounds = {{1, ToBinary(Literal::Long(-5))}, {2, "aa"}};
  d.upper_bounds = {{1, ToBinary(Literal::Long(99))}, {2, "zz"}};
  d.split_offsets = {4, 32768};
  d.sort_order_id = 0;
  return d;
}

// Literal equality that treats NaN as equal to NaN.
inline bool SameLiteral(const Literal& a, const Literal& b) {
  if (a.type == b.type && !a.is_null && !b.is_null && std::isnan(a.d) && std::isnan(b.d)) {
    return true;
  }
  return a == b;
}

inline void ExpectSameFile(const DataFile& want, const DataFile& got) {
  EXPECT_EQ(want.content, got.content);
  EXPECT_EQ(want.file_path, got.file_path);
  EXPECT_EQ(want.file_format, got.file_format);
  ASSERT_EQ(want.partition.size(), got.partition.size());
  for (size_t i = 0; i < want.partition.size(); ++i) {
    EXPECT_TRUE(SameLiteral(want.partition[i], got.partition[i]))
        << "partition field " << i << ": want " << want.partition[i].ToString() << " ("
        << want.partition[i].type.ToString() << "), got " << got.partition[i].ToString() << " ("
        << got.partition[i].type.ToString() << ")";
  }
  EXPECT_EQ(want.record_count, got.record_count);
  EXPECT_EQ(want.file_size_in_bytes, got.file_size_in_bytes);
  EXPECT_EQ(want.column_sizes, got.column_sizes);
  EXPECT_EQ(want.value_counts, got.value_counts);
  EXPECT_EQ(want.null_value_counts, got.null_value_counts);
  EXPECT_EQ(want.nan_value_counts, got.nan_value_counts);
  EXPECT_EQ(want.lower_bounds, got.lower_bounds);
  EXPECT_EQ(want.upper_bounds, got.upper_bounds);
  EXPECT_EQ(want.split_offsets, got.split_offsets);
  EXPECT_EQ(want.equality_ids, got.equality_ids);
  EXPECT_EQ(want.sort_order_id, got.sort_order_id);
}

}  // namespace tarn::iceberg::manifest_testing
