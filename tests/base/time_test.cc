#include "tarn/base/time.h"

#include <gtest/gtest.h>

namespace tarn {
namespace {

TEST(TimeTest, FormatsMicrosAsIsoUtc) {
  EXPECT_EQ(FormatIsoTimestamp(0), "1970-01-01T00:00:00.000000Z");
  EXPECT_EQ(FormatIsoTimestamp(1705287600123456), "2024-01-15T03:00:00.123456Z");
  EXPECT_EQ(FormatIsoTimestamp(-1), "1969-12-31T23:59:59.999999Z");
}

TEST(TimeTest, ParsesTheFormsTheCatalogAndUsersWrite) {
  EXPECT_EQ(*ParseIsoTimestamp("2024-01-15"), 1705276800000000);
  EXPECT_EQ(*ParseIsoTimestamp("2024-01-15T03"), 1705287600000000);
  EXPECT_EQ(*ParseIsoTimestamp("2024-01-15T03:00:00Z"), 1705287600000000);
  EXPECT_EQ(*ParseIsoTimestamp("2024-01-15 03:00:00.123456+00"), 1705287600123456);
  EXPECT_EQ(*ParseIsoTimestamp("2024-01-15T05:00:00+02:00"), 1705287600000000);
  EXPECT_EQ(*ParseIsoTimestamp("2024-01-15T03:00:00.5Z"), 1705287600500000);
}

TEST(TimeTest, RoundTrips) {
  for (int64_t t : {int64_t{0}, int64_t{1705287600123456}, int64_t{951782400000001}}) {
    EXPECT_EQ(*ParseIsoTimestamp(FormatIsoTimestamp(t)), t);
  }
}

TEST(TimeTest, RejectsWhatIsNotATimestamp) {
  for (const char* bad : {"", "2024-1-15", "2024-02-30", "2023-02-29", "2024-01-15T24",
                          "2024-01-15T03:61", "yesterday", "2024-01-15Tx", "2024-01-15T03:00:00.Z"}) {
    auto r = ParseIsoTimestamp(bad);
    EXPECT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().code(), ErrorCode::kInvalidArgument);
  }
  EXPECT_TRUE(ParseIsoTimestamp("2024-02-29").ok());
}

}  // namespace
}  // namespace tarn
