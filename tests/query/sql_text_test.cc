#include "tarn/query/sql_text.h"

#include <gtest/gtest.h>

#include "tarn/query/query_service.h"

namespace tarn::query {
namespace {

TEST(SqlTextTest, SplitsAtTopLevelSemicolons) {
  auto s = SplitStatements("SELECT 'a;b'; SELECT \"x;y\" FROM t -- c;\n; /* ; */ SELECT $$;$$;;");
  ASSERT_EQ(s.size(), 3u);
  EXPECT_EQ(s[0], "SELECT 'a;b'");
  EXPECT_EQ(s[1], " SELECT \"x;y\" FROM t -- c;\n");
  EXPECT_EQ(s[2], " /* ; */ SELECT $$;$$");
  EXPECT_TRUE(SplitStatements(" ; -- nothing\n").empty());
}

TEST(SqlTextTest, ExtractsTimeTravelKeepingOffsets) {
  std::string sql =
      "SELECT * FROM curated.t FOR SYSTEM_TIME AS OF TIMESTAMP '2024-01-01 00:00:00' e "
      "JOIN curated.u FOR SYSTEM_VERSION AS OF 123 ON true "
      "JOIN curated.v FOR TIMESTAMP AS OF now() - INTERVAL '1' DAY x ON true";
  size_t length = sql.size();
  auto tt = ExtractTimeTravel(&sql);
  ASSERT_TRUE(tt.ok()) << tt.status().ToString();
  ASSERT_EQ(tt->size(), 3u);
  EXPECT_EQ((*tt)[0].kind, TimeTravel::kTimestamp);
  EXPECT_EQ((*tt)[0].expression, "TIMESTAMP '2024-01-01 00:00:00'");
  EXPECT_EQ(sql.substr(0, (*tt)[0].name_end), "SELECT * FROM curated.t");
  EXPECT_EQ((*tt)[1].kind, TimeTravel::kVersion);
  EXPECT_EQ((*tt)[1].expression, "123");
  EXPECT_EQ((*tt)[2].expression, "now() - INTERVAL '1' DAY");
  EXPECT_EQ(sql.size(), length);
  EXPECT_EQ(sql.find("FOR"), std::string::npos);
  EXPECT_NE(sql.find(" e JOIN"), std::string::npos);
  EXPECT_NE(sql.find(" x ON"), std::string::npos);

  std::string untouched = "SELECT substring('abc' FROM 1 FOR 2), 'FOR SYSTEM_TIME AS OF 1'";
  auto none = ExtractTimeTravel(&untouched);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());

  std::string bad = "SELECT * FROM curated.t FOR SYSTEM_VERSION AS OF";
  EXPECT_EQ(ExtractTimeTravel(&bad).status().code(), ErrorCode::kInvalidArgument);
}

TEST(SqlTextTest, NamesAndKeywords) {
  std::string sql = "SELECT * FROM curated.\"My Table\" AS t";
  EXPECT_EQ(sql.substr(14, NameEnd(sql, 14) - 14), "curated.\"My Table\"");
  size_t rest = 0;
  EXPECT_EQ(FirstKeyword("  -- c\n explain SELECT 1", &rest), "EXPLAIN");
  EXPECT_EQ(FirstKeyword("(SELECT 1)"), "SELECT");
  auto tokens = Tokenize("\"a\"\"b\"");
  ASSERT_EQ(tokens.size(), 1u);
  EXPECT_EQ(IdentifierText("\"a\"\"b\"", tokens[0]), "a\"b");
}

}  // namespace
}  // namespace tarn::query
