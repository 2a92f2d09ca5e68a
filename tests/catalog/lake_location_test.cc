#include "tarn/storage/lake_location.h"

#include <gtest/gtest.h>

namespace tarn::storage {
namespace {

TEST(LakeLocationTest, AcceptsRelativeAbsoluteAndFileUriFormsOfOneFile) {
  auto lake = *LakeLocation::Make("/data/lake/");
  EXPECT_EQ(lake.root(), "/data/lake");
  EXPECT_EQ(*lake.Relativize("raw/ev/dt=2024-01-15/a.avro"), "raw/ev/dt=2024-01-15/a.avro");
  EXPECT_EQ(*lake.Relativize("/data/lake/raw/ev/a.avro"), "raw/ev/a.avro");
  EXPECT_EQ(*lake.Relativize("file:///data/lake/raw/ev/a.avro"), "raw/ev/a.avro");
  EXPECT_EQ(lake.Resolve("raw/ev/a.avro"), "/data/lake/raw/ev/a.avro");
}

TEST(LakeLocationTest, AcceptsObjectStoreUrisUnderAnS3Lake) {
  auto lake = *LakeLocation::Make("s3://datalake/prefix");
  EXPECT_FALSE(lake.is_local());
  EXPECT_EQ(*lake.Relativize("s3://datalake/prefix/raw/user_events/dt=2024-01-15/hour=03/p.parquet"),
            "raw/user_events/dt=2024-01-15/hour=03/p.parquet");
  EXPECT_FALSE(lake.Relativize("s3://datalake/other/raw/p.parquet").ok());
  EXPECT_FALSE(lake.Relativize("s3://datalake/prefixed/raw/p.parquet").ok());
}

TEST(LakeLocationTest, RefusesPathsOutsideTheLakeOrNotNormalized) {
  auto lake = *LakeLocation::Make("/data/lake");
  for (const char* bad : {"/etc/passwd", "/data/lakehouse/raw/a.avro", "raw/../../etc/passwd",
                          "raw/./a.avro", "raw//a.avro", "..", "/data/lake", "/data/lake/",
                          "raw/a\navro", "raw\\a.avro", "s3://other/raw/a.avro", "http://x/a"}) {
    auto r = lake.Relativize(bad);
    EXPECT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().code(), ErrorCode::kFailedPrecondition) << bad;
  }
}

TEST(LakeLocationTest, RejectsUnsupportedRoots) {
  EXPECT_FALSE(LakeLocation::Make("").ok());
  EXPECT_FALSE(LakeLocation::Make("gs://bucket").ok());
  EXPECT_FALSE(LakeLocation::Make("s3://").ok());
}

}  // namespace
}  // namespace tarn::storage
