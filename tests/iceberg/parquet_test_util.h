// A DuckDB and a temporary lake directory for tests of the Parquet writer, with helpers that
// read what was written back through DuckDB.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "tarn/engine/duckdb_engine.h"
#include "tarn/iceberg/literal.h"
#include "tarn/iceberg/manifest.h"
#include "tarn/schema/schema.h"

namespace tarn::engine::testing {

inline constexpr char kPrefix[] = "s3://warehouse/db/t/data/";

class ParquetTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = DuckDb::Open();
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(*db);
    char tmpl[] = "/tmp/tarn-parquet-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    root_ = tmpl;
    data_dir_ = root_ + "/t/data";
  }
  void TearDown() override { std::filesystem::remove_all(root_); }

  // All rows of `sql` (VARCHAR columns).
  std::vector<Row> Rows(const std::string& sql) {
    std::vector<Row> rows;
    Status st = db_->Query(sql, {}, [&](const Row& r) {
      rows.push_back(r);
      return Status::OK();
    });
    EXPECT_TRUE(st.ok()) << st.ToString() << "\n" << sql;
    return rows;
  }
  std::string One(const std::string& sql) {
    auto rows = Rows(sql);
    return rows.empty() || !rows[0][0] ? "" : *rows[0][0];
  }

  // Where a returned location lives on disk.
  std::string Local(const iceberg::DataFile& f) const {
    return data_dir_ + "/" + f.file_path.substr(std::string(kPrefix).size());
  }
  std::string ReadParquet(const iceberg::DataFile& f) const {
    return "read_parquet('" + Local(f) + "')";
  }

  // name -> field id of every column of the file's Parquet schema.
  std::multimap<std::string, int> FieldIds(const iceberg::DataFile& f) {
    std::multimap<std::string, int> ids;
    for (const auto& r : Rows("SELECT name, CAST(field_id AS VARCHAR) FROM parquet_schema('" +
                              Local(f) + "') WHERE field_id IS NOT NULL")) {
      ids.emplace(*r[0], std::stoi(*r[1]));
    }
    return ids;
  }

  std::unique_ptr<DuckDb> db_;
  std::string root_, data_dir_;
};

inline schema::Schema MakeSchema(const std::string& iceberg_json) {
  auto s = schema::SchemaFromIcebergJson(iceberg_json);
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  return s.ok() ? *s : schema::Schema();
}

inline std::string Unhex(const std::string& hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  }
  return out;
}

// A value of `type` from DuckDB text that the test query normalized: integers for dates
// (days) and times/timestamps (micros), uuids as hex without dashes, others as DuckDB prints.
inline iceberg::Literal SourceLiteral(const iceberg::PrimitiveType& type,
                                      const std::optional<std::string>& text) {
  using schema::TypeId;
  if (!text) return iceberg::Literal::Null(type);
  switch (type.id) {
    case TypeId::kBoolean:
      return iceberg::Literal::Boolean(*text == "true");
    case TypeId::kInt:
      return iceberg::Literal::Int(std::stoi(*text));
    case TypeId::kLong:
      return iceberg::Literal::Long(std::stoll(*text));
    case TypeId::kDate:
      return iceberg::Literal::Date(std::stoi(*text));
    case TypeId::kTime:
      return iceberg::Literal::Time(std::stoll(*text));
    case TypeId::kTimestamp:
      return iceberg::Literal::Timestamp(std::stoll(*text));
    case TypeId::kTimestampTz:
      return iceberg::Literal::TimestampTz(std::stoll(*text));
    case TypeId::kDouble:
      return iceberg::Literal::Double(std::stod(*text));
    case TypeId::kDecimal:
      return *iceberg::Literal::Decimal(*text, type.precision, type.scale);
    case TypeId::kUuid:
      return iceberg::Literal::Uuid(Unhex(*text));
    default:
      return iceberg::Literal::String(*text);
  }
}

inline iceberg::PrimitiveType Prim(const schema::Schema& schema, int id) {
  return *iceberg::PrimitiveType::From(*schema.FindById(id)->type);
}

// The bound as a value, or a null literal when absent.
inline iceberg::Literal Bound(const std::map<int, std::string>& bounds,
                              const schema::Schema& schema, int id) {
  auto it = bounds.find(id);
  if (it == bounds.end()) return iceberg::Literal::Null(Prim(schema, id));
  auto v = iceberg::FromBinary(Prim(schema, id), it->second);
  EXPECT_TRUE(v.ok()) << v.status().ToString();
  return v.ok() ? *v : iceberg::Literal{};
}

}  // namespace tarn::engine::testing
