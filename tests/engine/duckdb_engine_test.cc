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

}  // namespace
}  // namespace tarn::engine
