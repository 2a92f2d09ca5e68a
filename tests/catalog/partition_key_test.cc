#include "tarn/catalog/partition_key.h"

#include <gtest/gtest.h>

namespace tarn::catalog {
namespace {

TEST(PartitionKeyTest, ParsesDayAndHourKeys) {
  EXPECT_EQ(*ParsePartitionKey("dt=2024-01-15"), *ParseIsoTimestamp("2024-01-15"));
  EXPECT_EQ(*ParsePartitionKey("dt=2024-01-15/hour=03"), *ParseIsoTimestamp("2024-01-15T03"));
}

TEST(PartitionKeyTest, RejectsUnparseableKeysNamingThem) {
  for (const char* bad : {"", "2024-01-15", "dt=2024-1-15", "dt=2024-02-30", "dt=2024-01-15/hour=24",
                          "dt=2024-01-15/hour=3", "dt=2024-01-15/h=03", "dt=2024-01-15/hour=03/x",
                          "date=2024-01-15", "dt=2024-01-15x"}) {
    auto r = ParsePartitionKey(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().code(), ErrorCode::kFailedPrecondition);
    EXPECT_NE(r.status().message().find("partition_key"), std::string::npos);
  }
}

TEST(PartitionKeyTest, BoundsSortWithKeys) {
  EXPECT_EQ(*PartitionKeyBound("from", "2024-01-15"), "dt=2024-01-15");
  EXPECT_EQ(*PartitionKeyBound("to", "2024-01-15T03"), "dt=2024-01-15/hour=03");
  EXPECT_EQ(*PartitionKeyBound("to", "2024-01-15T03:00:00Z"), "dt=2024-01-15/hour=03");
  // A day bound includes all of that day's hour keys and excludes the next day's.
  EXPECT_LE(*PartitionKeyBound("from", "2024-01-15"), std::string("dt=2024-01-15/hour=00"));
  EXPECT_GT(*PartitionKeyBound("to", "2024-01-16"), std::string("dt=2024-01-15/hour=23"));
}

TEST(PartitionKeyTest, RejectsBadBounds) {
  EXPECT_FALSE(PartitionKeyBound("from", "yesterday").ok());
  EXPECT_FALSE(PartitionKeyBound("from", "2024-01-15T03:30").ok());
  auto r = PartitionKeyBound("to", "2024-13-01");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message().rfind("to:", 0), 0u);
}

}  // namespace
}  // namespace tarn::catalog
