// Planning speed on a year of hourly partitions (365 x 24, ~20,000 data files): the target is
// planning one day in <= 20 ms. Two layouts: one manifest per hourly commit (8,760 manifests,
// pruned by their partition summaries) and everything compacted into one manifest (every entry
// decoded and tested). Plans are cold (manifest cache emptied). Timings are printed; the
// assertions leave room for a loaded machine.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>

#include "iceberg/iceberg_test_util.h"
#include "schema/schema_test_util.h"
#include "tarn/iceberg/manifest_cache.h"
#include "tarn/iceberg/scan.h"

namespace tarn::iceberg {
namespace {

using schema::TypeId;
using schema::testing::F;
using schema::testing::Prim;
using testing::Entry;
using testing::SetMetrics;
using testing::TableBuilder;

constexpr int64_t kHourUs = 3'600'000'000LL;
constexpr int64_t kYearStartHour = 473'352;  // 2024-01-01T00:00Z in hours since the epoch
constexpr int kHours = 365 * 24;

schema::Schema TestSchema() {
  return schema::Schema::Make(
             {F(1, "id", true, Prim(TypeId::kLong)), F(2, "ts", false, Prim(TypeId::kTimestampTz))})
      .value();
}

// Two files per hour and a third every third hour: 20,440 files.
std::vector<ManifestEntry> HourFiles(int h) {
  std::vector<ManifestEntry> out;
  int64_t hour = kYearStartHour + h;
  for (int f = 0; f < (h % 3 == 0 ? 3 : 2); ++f) {
    auto e = Entry("mem://t/data/h" + std::to_string(h) + "-" + std::to_string(f) + ".parquet",
                   {Literal::Int(static_cast<int32_t>(hour))});
    SetMetrics(&e, 2, Literal::TimestampTz(hour * kHourUs),
               Literal::TimestampTz((hour + 1) * kHourUs - 1), 1000, 0);
    out.push_back(std::move(e));
  }
  return out;
}

PartitionSpec HourSpec() { return PartitionSpec{0, {{2, 1000, "ts_hour", {Transform::kHour}}}}; }

// Day 200 of the year, as two predicates (BETWEEN-style).
Filter OneDay() {
  int64_t start = (kYearStartHour + 200 * 24) * kHourUs;
  return {Predicate{"ts", 0, Op::kGtEq, {Literal::TimestampTz(start)}},
          Predicate{"ts", 0, Op::kLt, {Literal::TimestampTz(start + 24 * kHourUs)}}};
}

// Best of a few cold runs (nothing in the manifest cache), to keep a busy neighbour out of the
// number.
ScanPlan TimedPlan(TableBuilder& t, const char* label) {
  ScanPlan best;
  best.metrics.planning_ms = 1e9;
  for (int run = 0; run < 3; ++run) {
    ClearManifestCache();
    auto plan = PlanScan(t.metadata(), t.current(), OneDay(), t.io());
    EXPECT_TRUE(plan.ok()) << plan.status().ToString();
    if (plan.ok() && plan->metrics.planning_ms < best.metrics.planning_ms) best = *plan;
  }
  std::printf("[ perf ] %s: %zu of %lld files planned in %.2f ms (%d/%d manifests skipped)\n",
              label, best.tasks.size(), static_cast<long long>(best.metrics.data_files_considered),
              best.metrics.planning_ms, best.metrics.manifests_skipped,
              best.metrics.manifests_total);
  return best;
}

TEST(ScanPerfTest, OneDayOfAYearOfHourlyCommits) {
  TableBuilder t(TestSchema(), {HourSpec()});
  std::vector<ManifestFile> manifests;
  for (int h = 0; h < kHours; ++h) {
    manifests.push_back(t.Manifest(0, FileContent::kData, HourFiles(h)));
  }
  t.Commit(manifests);
  ScanPlan plan = TimedPlan(t, "8760 hourly manifests");
  EXPECT_EQ(plan.tasks.size(), 56u);  // 24 hours x 2 + 8 third files
  EXPECT_EQ(plan.metrics.manifests_skipped, kHours - 24);
  EXPECT_LE(plan.metrics.planning_ms, 100.0);
}

TEST(ScanPerfTest, OneDayOfAYearInOneManifest) {
  TableBuilder t(TestSchema(), {HourSpec()});
  std::vector<ManifestEntry> all;
  for (int h = 0; h < kHours; ++h) {
    for (ManifestEntry& e : HourFiles(h)) all.push_back(std::move(e));
  }
  ASSERT_GE(all.size(), 20'000u);
  t.Commit({t.Manifest(0, FileContent::kData, all)});
  ScanPlan plan = TimedPlan(t, "1 manifest of 20440 files");
  EXPECT_EQ(plan.tasks.size(), 56u);
  EXPECT_EQ(plan.metrics.data_files_considered, static_cast<int64_t>(all.size()));
  EXPECT_LE(plan.metrics.planning_ms, 500.0);
}

}  // namespace
}  // namespace tarn::iceberg
