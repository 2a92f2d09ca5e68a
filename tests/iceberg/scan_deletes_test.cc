// Scan planning: which delete files are attached to which data files (sequence numbers,
// partitions, global deletes, file-scoped position deletes), and pruning of delete manifests.
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "iceberg/iceberg_test_util.h"
#include "schema/schema_test_util.h"
#include "tarn/iceberg/delete_index.h"
#include "tarn/iceberg/scan.h"

namespace tarn::iceberg {
namespace {

using schema::TypeId;
using schema::testing::F;
using schema::testing::Prim;
using testing::Entry;
using testing::TableBuilder;

using DeletesByFile = std::map<std::string, std::set<std::string>>;

schema::Schema TestSchema() {
  return schema::Schema::Make(
             {F(1, "id", true, Prim(TypeId::kLong)), F(2, "region", false, Prim(TypeId::kString))})
      .value();
}

ManifestEntry Delete(std::string name, std::vector<Literal> partition, FileContent content) {
  ManifestEntry e = Entry("mem://t/data/" + name, std::move(partition), content);
  if (content == FileContent::kEqualityDeletes) e.data_file.equality_ids = {1};
  return e;
}

DeletesByFile Deletes(const ScanPlan& plan) {
  DeletesByFile out;
  for (const FileScanTask& t : plan.tasks) {
    auto& set = out[t.data_file.file_path];
    for (const DataFile& d : t.deletes) set.insert(d.file_path);
  }
  return out;
}

// Spec 0 = identity(region); spec 1 = unpartitioned (for table-wide deletes).
//   seq 1: data us/d1, eu/d2
//   seq 2: data us/d3; deletes: position us/p1, equality us/e1, equality eu/e2,
//          equality ap/e3 (no data there), equality unpartitioned g1,
//          position us/p2 scoped to us/d1 by its file_path bounds.
class DeleteAttachmentTest : public ::testing::Test {
 protected:
  DeleteAttachmentTest()
      : table_(TestSchema(), {PartitionSpec{0, {{2, 1000, "region", {Transform::kIdentity}}}},
                              PartitionSpec{1, {}}}) {
    auto us = Literal::String("us"), eu = Literal::String("eu"), ap = Literal::String("ap");
    ManifestFile m1 = table_.Manifest(
        0, FileContent::kData, {Entry("mem://t/data/d1", {us}), Entry("mem://t/data/d2", {eu})});
    table_.Commit({m1});
    ManifestFile m2 = table_.Manifest(0, FileContent::kData, {Entry("mem://t/data/d3", {us})});
    ManifestEntry p2 = Delete("p2", {us}, FileContent::kPositionDeletes);
    p2.data_file.lower_bounds[kDeleteFilePathFieldId] = "mem://t/data/d1";
    p2.data_file.upper_bounds[kDeleteFilePathFieldId] = "mem://t/data/d1";
    ManifestFile deletes = table_.Manifest(0, FileContent::kPositionDeletes,
                                           {Delete("p1", {us}, FileContent::kPositionDeletes), p2,
                                            Delete("e1", {us}, FileContent::kEqualityDeletes),
                                            Delete("e2", {eu}, FileContent::kEqualityDeletes),
                                            Delete("e3", {ap}, FileContent::kEqualityDeletes)});
    ManifestFile global = table_.Manifest(1, FileContent::kEqualityDeletes,
                                          {Delete("g1", {}, FileContent::kEqualityDeletes)});
    table_.Commit({m1, m2, deletes, global});
  }

  ScanPlan Plan(const Filter& filter) {
    auto plan = PlanScan(table_.metadata(), table_.current(), filter, table_.io());
    EXPECT_TRUE(plan.ok()) << plan.status().ToString();
    return plan.ok() ? std::move(plan).value() : ScanPlan{};
  }

  TableBuilder table_;
};

TEST_F(DeleteAttachmentTest, AttachesBySequenceNumberAndPartition) {
  ScanPlan plan = Plan({});
  DeletesByFile expected = {
      // seq 1 < 2: every position and equality delete of its partition, plus the global one.
      {"mem://t/data/d1",
       {"mem://t/data/p1", "mem://t/data/p2", "mem://t/data/e1", "mem://t/data/g1"}},
      {"mem://t/data/d2", {"mem://t/data/e2", "mem://t/data/g1"}},
      // seq 2: position deletes of seq 2 apply (<=), equality deletes of seq 2 do not (<);
      // p2 names only d1.
      {"mem://t/data/d3", {"mem://t/data/p1"}},
  };
  EXPECT_EQ(Deletes(plan), expected);
  EXPECT_EQ(plan.metrics.delete_files, 6);
  EXPECT_EQ(plan.metrics.manifests_total, 4);
  for (const FileScanTask& t : plan.tasks) {
    EXPECT_EQ(t.data_sequence_number, t.data_file.file_path == "mem://t/data/d3" ? 2 : 1);
    EXPECT_EQ(t.spec_id, 0);
  }
}

TEST_F(DeleteAttachmentTest, FilterPrunesDeleteFilesOfOtherPartitions) {
  ScanPlan plan = Plan({Predicate{"region", 0, Op::kEq, {Literal::String("eu")}}});
  DeletesByFile expected = {{"mem://t/data/d2", {"mem://t/data/e2", "mem://t/data/g1"}}};
  EXPECT_EQ(Deletes(plan), expected);
  // e2 and the global g1 survive; the us and ap deletes are pruned by partition.
  EXPECT_EQ(plan.metrics.delete_files, 2);
}

TEST_F(DeleteAttachmentTest, DeletedEntriesAreNotPlanned) {
  ManifestEntry gone = Entry("mem://t/data/d2", {Literal::String("eu")});
  gone.status = EntryStatus::kDeleted;
  gone.snapshot_id = 1003;
  gone.sequence_number = 1;
  gone.file_sequence_number = 1;
  ManifestEntry kept = Entry("mem://t/data/d1", {Literal::String("us")});
  kept.status = EntryStatus::kExisting;
  kept.snapshot_id = 1001;
  kept.sequence_number = 1;
  kept.file_sequence_number = 1;
  ManifestFile m = table_.Manifest(0, FileContent::kData, {gone, kept});
  table_.Commit({m});
  ScanPlan plan = Plan({});
  ASSERT_EQ(plan.tasks.size(), 1u);
  EXPECT_EQ(plan.tasks[0].data_file.file_path, "mem://t/data/d1");
  EXPECT_EQ(plan.tasks[0].data_sequence_number, 1);
  EXPECT_EQ(plan.metrics.data_files_considered, 1);
}

}  // namespace
}  // namespace tarn::iceberg
