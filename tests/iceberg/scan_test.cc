// Scan planning: pruning of manifests by partition summaries and of data files by partition
// values and column metrics, for each filter operator.
#include "tarn/iceberg/scan.h"

#include <gtest/gtest.h>

#include <cmath>
#include <set>

#include "iceberg/iceberg_test_util.h"
#include "schema/schema_test_util.h"
#include "tarn/iceberg/transforms.h"

namespace tarn::iceberg {
namespace {

using schema::TypeId;
using schema::testing::F;
using schema::testing::Prim;
using testing::Entry;
using testing::SetMetrics;
using testing::TableBuilder;

constexpr int32_t kDay0 = 19723;  // 2024-01-01
constexpr int64_t kDayUs = 86'400'000'000LL;
constexpr int64_t kHourUs = 3'600'000'000LL;

schema::Schema TestSchema() {
  return schema::Schema::Make(
             {F(1, "id", true, Prim(TypeId::kLong)), F(2, "ts", false, Prim(TypeId::kTimestampTz)),
              F(3, "region", false, Prim(TypeId::kString)), F(4, "v", false, Prim(TypeId::kLong)),
              F(5, "x", false, Prim(TypeId::kDouble))})
      .value();
}

PartitionSpec Spec(int spec_id, std::vector<PartitionField> fields = {}) {
  return PartitionSpec{spec_id, std::move(fields)};
}

Predicate P(std::string col, Op op, std::vector<Literal> values = {}) {
  return Predicate{std::move(col), 0, op, std::move(values)};
}

Literal Ts(int day, int64_t hour_us = 0) {
  return Literal::TimestampTz((kDay0 + day) * kDayUs + hour_us);
}

std::set<std::string> Files(const ScanPlan& plan) {
  std::set<std::string> out;
  for (const FileScanTask& t : plan.tasks) out.insert(t.data_file.file_path);
  return out;
}

ScanPlan Plan(TableBuilder& t, const Filter& filter) {
  auto plan = PlanScan(t.metadata(), t.current(), filter, t.io());
  EXPECT_TRUE(plan.ok()) << plan.status().ToString();
  return plan.ok() ? std::move(plan).value() : ScanPlan{};
}

// day(ts): ten days, one manifest per day with three files each; each file's ts bounds span
// 01:00..23:00 of its day.
class DayPartitionedScanTest : public ::testing::Test {
 protected:
  DayPartitionedScanTest()
      : table_(TestSchema(), {Spec(0, {{2, 1000, "ts_day", {Transform::kDay}}})}) {
    std::vector<ManifestFile> manifests;
    for (int d = 0; d < 10; ++d) {
      std::vector<ManifestEntry> entries;
      for (int f = 0; f < 3; ++f) {
        auto e = Entry(Name(d, f), {Literal::Date(kDay0 + d)});
        SetMetrics(&e, 2, Ts(d, kHourUs), Ts(d, 23 * kHourUs), 10, 0);
        entries.push_back(std::move(e));
      }
      manifests.push_back(table_.Manifest(0, FileContent::kData, entries));
    }
    table_.Commit(manifests);
  }

  static std::string Name(int day, int file) {
    return "mem://t/data/d" + std::to_string(day) + "-f" + std::to_string(file) + ".parquet";
  }
  static std::set<std::string> Days(std::vector<int> days) {
    std::set<std::string> out;
    for (int d : days) {
      for (int f = 0; f < 3; ++f) out.insert(Name(d, f));
    }
    return out;
  }

  TableBuilder table_;
};

TEST_F(DayPartitionedScanTest, EqualityReadsOneDaysManifest) {
  int reads_before = table_.io().reads();
  ScanPlan plan = Plan(table_, {P("ts", Op::kEq, {Ts(3, 12 * kHourUs)})});
  EXPECT_EQ(Files(plan), Days({3}));
  EXPECT_EQ(plan.metrics.manifests_total, 10);
  EXPECT_EQ(plan.metrics.manifests_skipped, 9);
  EXPECT_EQ(plan.metrics.data_files_considered, 3);
  EXPECT_EQ(plan.metrics.data_files_skipped, 0);
  EXPECT_EQ(table_.io().reads() - reads_before, 2);  // the manifest list and one manifest
  EXPECT_GE(plan.metrics.planning_ms, 0.0);
  EXPECT_EQ(plan.snapshot_id, table_.current()->snapshot_id);
}

TEST_F(DayPartitionedScanTest, RangesOnThePartitionSourceColumn) {
  EXPECT_EQ(Files(Plan(table_, {P("ts", Op::kLt, {Ts(3)})})), Days({0, 1, 2}));
  EXPECT_EQ(Files(Plan(table_, {P("ts", Op::kGt, {Ts(7, -1)})})), Days({7, 8, 9}));
  EXPECT_EQ(Files(Plan(table_, {P("ts", Op::kGtEq, {Ts(7)})})), Days({7, 8, 9}));
  // ts <= day 3 00:00 keeps day 3's partition, whose files then fail their ts bounds.
  ScanPlan le = Plan(table_, {P("ts", Op::kLtEq, {Ts(3)})});
  EXPECT_EQ(Files(le), Days({0, 1, 2}));
  EXPECT_EQ(le.metrics.manifests_skipped, 6);
  EXPECT_EQ(le.metrics.data_files_considered, 12);
  EXPECT_EQ(le.metrics.data_files_skipped, 3);
}

TEST_F(DayPartitionedScanTest, InBetweenAndNullTests) {
  EXPECT_EQ(Files(Plan(table_, {P("ts", Op::kIn, {Ts(2, kHourUs * 5), Ts(5, kHourUs * 6)})})),
            Days({2, 5}));
  EXPECT_EQ(Files(Plan(table_, {P("ts", Op::kGtEq, {Ts(3)}), P("ts", Op::kLt, {Ts(5)})})),
            Days({3, 4}));
  ScanPlan nulls = Plan(table_, {P("ts", Op::kIsNull)});
  EXPECT_TRUE(nulls.tasks.empty());
  EXPECT_EQ(nulls.metrics.manifests_skipped, 10);
  EXPECT_EQ(Plan(table_, {P("ts", Op::kNotNull)}).tasks.size(), 30u);
  EXPECT_EQ(Plan(table_, {}).tasks.size(), 30u);
  // A date literal on a timestamptz column is midnight UTC.
  EXPECT_EQ(Files(Plan(table_, {P("ts", Op::kGtEq, {Literal::Date(kDay0 + 8)})})), Days({8, 9}));
}

TEST(ScanTest, IdentityPartitionsIncludingNull) {
  TableBuilder t(TestSchema(), {Spec(0, {{3, 1000, "region", {Transform::kIdentity}}})});
  std::vector<ManifestEntry> entries;
  for (std::string r : {"ap", "eu", "us"}) {
    entries.push_back(Entry("mem://t/data/" + r, {Literal::String(r)}));
  }
  entries.push_back(Entry("mem://t/data/none", {Literal::Null(PrimitiveType{TypeId::kString})}));
  t.Commit({t.Manifest(0, FileContent::kData, entries)});
  auto files = [&](Filter f) { return Files(Plan(t, f)); };
  using S = std::set<std::string>;
  EXPECT_EQ(files({P("region", Op::kEq, {Literal::String("us")})}), S{"mem://t/data/us"});
  EXPECT_EQ(files({P("region", Op::kIn, {Literal::String("eu"), Literal::String("ap")})}),
            (S{"mem://t/data/ap", "mem://t/data/eu"}));
  EXPECT_EQ(files({P("region", Op::kGt, {Literal::String("eu")})}), S{"mem://t/data/us"});
  EXPECT_EQ(files({P("region", Op::kLtEq, {Literal::String("eu")})}),
            (S{"mem://t/data/ap", "mem://t/data/eu"}));
  EXPECT_EQ(files({P("region", Op::kIsNull)}), S{"mem://t/data/none"});
  EXPECT_EQ(files({P("region", Op::kNotNull)}).size(), 3u);
  EXPECT_TRUE(files({P("region", Op::kEq, {Literal::String("zz")})}).empty());
}

TEST(ScanTest, BucketPartitionsPruneEqualityAndInOnly) {
  Transform bucket{Transform::kBucket, 8};
  TableBuilder t(TestSchema(), {Spec(0, {{1, 1000, "id_bucket", bucket}})});
  std::vector<ManifestEntry> entries;
  for (int b = 0; b < 8; ++b) {
    entries.push_back(Entry("mem://t/data/b" + std::to_string(b), {Literal::Int(b)}));
  }
  t.Commit({t.Manifest(0, FileContent::kData, entries)});
  auto bucket_of = [&](int64_t id) {
    return "mem://t/data/b" + std::to_string(Apply(bucket, Literal::Long(id)).value().i);
  };
  EXPECT_EQ(Files(Plan(t, {P("id", Op::kEq, {Literal::Long(34)})})),
            std::set<std::string>{bucket_of(34)});
  EXPECT_EQ(Files(Plan(t, {P("id", Op::kIn, {Literal::Long(34), Literal::Long(35)})})),
            (std::set<std::string>{bucket_of(34), bucket_of(35)}));
  EXPECT_EQ(Plan(t, {P("id", Op::kLt, {Literal::Long(5)})}).tasks.size(), 8u);
}

// Unpartitioned: files with v in [10k, 10k+9], one all-null file, one without metrics and one
// holding some nulls.
class ColumnBoundsScanTest : public ::testing::Test {
 protected:
  ColumnBoundsScanTest() : table_(TestSchema(), {Spec(0)}) {
    std::vector<ManifestEntry> entries;
    for (int k = 0; k < 10; ++k) {
      auto e = Entry("mem://t/data/v" + std::to_string(k), {});
      SetMetrics(&e, 4, Literal::Long(10 * k), Literal::Long(10 * k + 9), 10, 0);
      entries.push_back(std::move(e));
    }
    auto all_null = Entry("mem://t/data/all-null", {});
    SetMetrics(&all_null, 4, Literal::Null({TypeId::kLong}), Literal::Null({TypeId::kLong}), 10,
               10);
    auto some_null = Entry("mem://t/data/some-null", {});
    SetMetrics(&some_null, 4, Literal::Long(50), Literal::Long(60), 10, 3);
    entries.push_back(std::move(all_null));
    entries.push_back(std::move(some_null));
    entries.push_back(Entry("mem://t/data/no-stats", {}));
    table_.Commit({table_.Manifest(0, FileContent::kData, entries)});
  }

  std::set<std::string> Keep(Filter f) { return Files(Plan(table_, f)); }
  static std::set<std::string> V(std::vector<std::string> names) {
    std::set<std::string> out;
    for (const auto& n : names) out.insert("mem://t/data/" + n);
    return out;
  }

  TableBuilder table_;
};

TEST_F(ColumnBoundsScanTest, ComparisonsUseLowerAndUpperBounds) {
  auto L = [](int64_t v) { return std::vector<Literal>{Literal::Long(v)}; };
  EXPECT_EQ(Keep({P("v", Op::kEq, L(35))}), V({"v3", "no-stats"}));
  EXPECT_EQ(Keep({P("v", Op::kEq, L(55))}), V({"v5", "some-null", "no-stats"}));
  EXPECT_EQ(Keep({P("v", Op::kLt, L(10))}), V({"v0", "no-stats"}));
  EXPECT_EQ(Keep({P("v", Op::kLtEq, L(10))}), V({"v0", "v1", "no-stats"}));
  EXPECT_EQ(Keep({P("v", Op::kGt, L(89))}), V({"v9", "no-stats"}));
  EXPECT_EQ(Keep({P("v", Op::kGtEq, L(89))}), V({"v8", "v9", "no-stats"}));
  EXPECT_EQ(Keep({P("v", Op::kIn, {Literal::Long(5), Literal::Long(95), Literal::Long(200)})}),
            V({"v0", "v9", "no-stats"}));
  EXPECT_EQ(Keep({P("v", Op::kGtEq, L(20)), P("v", Op::kLtEq, L(39))}),
            V({"v2", "v3", "no-stats"}));
  // An int literal on a long column is widened.
  EXPECT_EQ(Keep({P("v", Op::kEq, {Literal::Int(35)})}), V({"v3", "no-stats"}));
}

TEST_F(ColumnBoundsScanTest, NullTestsUseNullAndValueCounts) {
  EXPECT_EQ(Keep({P("v", Op::kIsNull)}), V({"all-null", "some-null", "no-stats"}));
  std::set<std::string> not_null = Keep({P("v", Op::kNotNull)});
  EXPECT_EQ(not_null.size(), 12u);
  EXPECT_FALSE(not_null.count("mem://t/data/all-null"));
  ScanPlan plan = Plan(table_, {P("v", Op::kIsNull)});
  EXPECT_EQ(plan.metrics.data_files_considered, 13);
  EXPECT_EQ(plan.metrics.data_files_skipped, 10);
  EXPECT_EQ(plan.metrics.manifests_skipped, 0);
}

TEST(ScanTest, ColumnStatsCanBeLeftOutOfThePlan) {
  TableBuilder t(TestSchema(), {Spec(0, {{3, 1000, "region", {Transform::kIdentity}}})});
  auto e = Entry("mem://t/data/a", {Literal::String("eu")});
  SetMetrics(&e, 4, Literal::Long(1), Literal::Long(9), 10, 0);
  e.data_file.column_sizes[4] = 80;
  e.data_file.nan_value_counts[5] = 0;
  e.data_file.split_offsets = {4, 400};
  e.data_file.sort_order_id = 0;
  auto skipped = Entry("mem://t/data/b", {Literal::String("eu")});
  SetMetrics(&skipped, 4, Literal::Long(20), Literal::Long(29), 10, 0);
  t.Commit({t.Manifest(0, FileContent::kData, {e, skipped})});

  Filter filter = {P("v", Op::kLt, {Literal::Long(10)})};
  auto without = PlanScan(t.metadata(), t.current(), filter, t.io(), {.column_stats = false});
  ASSERT_TRUE(without.ok()) << without.status().ToString();
  ASSERT_EQ(without->tasks.size(), 1u);
  EXPECT_EQ(without->metrics.data_files_skipped, 1);
  DataFile expected = Plan(t, filter).tasks.at(0).data_file;
  EXPECT_EQ(expected.split_offsets, e.data_file.split_offsets);
  expected.column_sizes.clear();
  expected.value_counts.clear();
  expected.null_value_counts.clear();
  expected.nan_value_counts.clear();
  expected.lower_bounds.clear();
  expected.upper_bounds.clear();
  EXPECT_TRUE(without->tasks[0].data_file == expected);
}

TEST(ScanTest, FloatUpperBoundsIgnoredUnlessTheFileHasNoNaN) {
  TableBuilder t(TestSchema(), {Spec(0)});
  auto maybe_nan = Entry("mem://t/data/maybe-nan", {});
  SetMetrics(&maybe_nan, 5, Literal::Double(0), Literal::Double(1), 10, 0);
  auto no_nan = maybe_nan;
  no_nan.data_file.file_path = "mem://t/data/no-nan";
  no_nan.data_file.nan_value_counts[5] = 0;
  t.Commit({t.Manifest(0, FileContent::kData, {maybe_nan, no_nan})});
  EXPECT_EQ(Files(Plan(t, {P("x", Op::kGt, {Literal::Double(5)})})),
            std::set<std::string>{"mem://t/data/maybe-nan"});
  EXPECT_TRUE(Plan(t, {P("x", Op::kLt, {Literal::Double(-1)})}).tasks.empty());
}

TEST(ScanTest, ErrorsNameTheColumnAndTheManifest) {
  TableBuilder t(TestSchema(), {Spec(0)});
  t.Commit({t.Manifest(0, FileContent::kData, {Entry("mem://t/data/a", {})})});
  auto bad = PlanScan(t.metadata(), t.current(), {P("nope", Op::kIsNull)}, t.io());
  EXPECT_EQ(bad.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("nope"), std::string::npos);
  auto mistyped =
      PlanScan(t.metadata(), t.current(), {P("region", Op::kEq, {Literal::Long(1)})}, t.io());
  EXPECT_EQ(mistyped.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(mistyped.status().message().find("region"), std::string::npos);

  ASSERT_TRUE(t.io().Delete("mem://t/metadata/m1.avro").ok());
  auto missing = PlanScan(t.metadata(), t.current(), {}, t.io());
  EXPECT_EQ(missing.status().code(), ErrorCode::kNotFound);
  EXPECT_NE(missing.status().message().find("mem://t/metadata/m1.avro"), std::string::npos);
}

TEST(ScanTest, NoSnapshotIsAnEmptyPlan) {
  TableBuilder t(TestSchema(), {Spec(0)});
  auto plan = PlanScan(t.metadata(), nullptr, {P("id", Op::kEq, {Literal::Long(1)})}, t.io());
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  EXPECT_EQ(plan->snapshot_id, 0);
  EXPECT_EQ(plan->schema_id, 0);
  EXPECT_TRUE(plan->tasks.empty());
}

}  // namespace
}  // namespace tarn::iceberg
