#include "tarn/engine/duckdb_engine.h"

#include <gtest/gtest.h>

namespace tarn::engine {
namespace {

// make setup pins DuckDB 1.5.6; a system install must be at least the 1.x C API.
TEST(DuckDbEngineTest, LinkedLibraryReportsItsVersion) {
  std::string v = DuckDbVersion();
  ASSERT_GE(v.size(), 2u);
  EXPECT_EQ(v.substr(0, 2), "v1");
}

}  // namespace
}  // namespace tarn::engine

namespace tarn::engine {
namespace {

TEST(DuckDbTest, StreamsVarcharRowsWithNullsAndParameters) {
  auto db = std::move(DuckDb::Open().value());
  std::vector<Row> rows;
  ASSERT_TRUE(db->Query("SELECT i::VARCHAR, CASE WHEN i % 2 = 0 THEN NULL ELSE ? END "
                        "FROM range(5000) t(i)",
                        {"odd"},
                        [&](const Row& r) {
                          rows.push_back(r);
                          return Status::OK();
                        })
                  .ok());
  ASSERT_EQ(rows.size(), 5000u);  // spans several chunks
  EXPECT_EQ(rows[4999][0], "4999");
  EXPECT_FALSE(rows[4998][1].has_value());
  EXPECT_EQ(rows[4999][1], "odd");
}

TEST(DuckDbTest, ReportsErrorsAndNonVarcharColumns) {
  auto db = std::move(DuckDb::Open().value());
  auto bad = db->Execute("SELECT * FROM no_such_table", {});
  EXPECT_EQ(bad.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("no_such_table"), std::string::npos);
  EXPECT_EQ(db->Execute("SELECT 1", {}).status().code(), ErrorCode::kInvalidArgument);
}

std::vector<Row> Drain(QueryCursor& cursor) {
  std::vector<Row> rows;
  Row row;
  while (true) {
    auto more = cursor.Next(&row);
    EXPECT_TRUE(more.ok()) << more.status().ToString();
    if (!more.ok() || !*more) return rows;
    rows.push_back(row);
  }
}

TEST(DuckDbTest, ExecuteTextGivesTypedColumnsAndTextValues) {
  auto db = std::move(DuckDb::Open().value());
  auto r = db->ExecuteText(
      "SELECT 1 AS i, 2.5::DOUBLE AS d, DATE '2024-01-15' AS day, [1, 2] AS l, "
      "'\\x01\\xFFa'::BLOB AS b, NULL::BLOB AS nb, CAST(? AS INTEGER) + 1 AS p, ? AS n",
      {"41", std::nullopt});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  std::vector<std::string> names;
  for (const Column& c : r->columns) names.push_back(c.name);
  EXPECT_EQ(names, (std::vector<std::string>{"i", "d", "day", "l", "b", "nb", "p", "n"}));
  EXPECT_EQ(r->columns[0].type, ColumnType::kInteger);
  EXPECT_EQ(r->columns[1].type, ColumnType::kDouble);
  EXPECT_EQ(r->columns[2].type, ColumnType::kDate);
  EXPECT_EQ(r->columns[3].type_sql, "INTEGER[]");
  EXPECT_EQ(r->columns[4].type, ColumnType::kBlob);
  std::vector<Row> rows = Drain(*r->cursor);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0], (Row{"1", "2.5", "2024-01-15", "[1, 2]", "01ff61", std::nullopt, "42",
                          std::nullopt}));

  auto many = db->ExecuteText("SELECT i, i::VARCHAR || 'x' AS s FROM range(5000) t(i)", {});
  ASSERT_TRUE(many.ok()) << many.status().ToString();
  rows = Drain(*many->cursor);
  ASSERT_EQ(rows.size(), 5000u);  // spans several chunks
  EXPECT_EQ(rows[4999], (Row{"4999", "4999x"}));
}

TEST(DuckDbTest, ExecuteTextKeepsTheStatementsOwnNamesAndErrors) {
  auto db = std::move(DuckDb::Open().value());
  // A subquery would rename duplicates to a_1, a_2.
  auto dup = db->ExecuteText("SELECT 1 AS a, 2 AS a, 3 AS a_1, 4 AS b_2", {});
  ASSERT_TRUE(dup.ok()) << dup.status().ToString();
  std::vector<std::string> names;
  for (const Column& c : dup->columns) names.push_back(c.name);
  EXPECT_EQ(names, (std::vector<std::string>{"a", "a", "a_1", "b_2"}));
  EXPECT_EQ(Drain(*dup->cursor), (std::vector<Row>{{"1", "2", "3", "4"}}));

  auto bad = db->ExecuteText("SELECT nope FROM range(3)", {});
  EXPECT_EQ(bad.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("nope"), std::string::npos);
  EXPECT_EQ(bad.status().message().find("__tarn_q"), std::string::npos) << bad.status().message();
  EXPECT_EQ(bad.status().message(), db->Describe("SELECT nope FROM range(3)").status().message());
  EXPECT_EQ(db->ExecuteText("SELECT ?", {}).status().code(), ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace tarn::engine
