// Several processes commit to one table through the catalog's compare-and-swap pointer, on
// SQLite and PostgreSQL: every commit a process reports as landed is in the table, exactly
// once, and the snapshot chain is linear.
#include <gtest/gtest.h>

#include <cstdio>
#include <set>

#include "catalog/store_fixture.h"
#include "tarn/base/ids.h"
#include "tarn/catalog/table_pointer.h"
#include "tarn/iceberg/table.h"
#include "tarn/iceberg/table_update.h"

namespace tarn::iceberg {
namespace {

class MultiProcessCommitTest : public testing::BackendTest {};

schema::Schema OneColumn() {
  auto t = std::make_shared<schema::Type>();
  t->id = schema::TypeId::kLong;
  return schema::Schema::Make({{1, "id", true, t}}).value();
}

TEST_P(MultiProcessCommitTest, EveryLandedCommitIsInTheTableOnce) {
  auto store = catalog::CatalogStore::Open(url_);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  auto md = NewTableMetadata(OneColumn(), PartitionSpec{}, SortOrder{}, dir_ + "/curated/t", {},
                             NewUuid(), 1);
  ASSERT_TRUE(md.ok()) << md.status().ToString();
  ASSERT_TRUE(Table::Create(catalog::MakeTablePointer(**store, "curated", "t"),
                            MakeLocalFileIO(), *md)
                  .ok());
  constexpr int kWorkers = 4, kCommits = 15;
  std::vector<FILE*> workers;
  for (int w = 0; w < kWorkers; ++w) {
    std::string cmd = std::string(TARN_COMMIT_WORKER) + " '" + url_ + "' curated t " +
                      std::to_string(w) + " " + std::to_string(kCommits) + " 2>&1";
    workers.push_back(popen(cmd.c_str(), "r"));
    ASSERT_NE(workers.back(), nullptr);
  }
  std::set<int64_t> landed;
  for (FILE* f : workers) {
    char line[512];
    while (fgets(line, sizeof line, f)) {
      long long id = 0;
      int worker = 0, i = 0;
      ASSERT_EQ(std::sscanf(line, "landed %d %d %lld", &worker, &i, &id), 3) << line;
      EXPECT_TRUE(landed.insert(id).second) << "snapshot reported twice: " << id;
    }
    EXPECT_EQ(pclose(f), 0);
  }
  ASSERT_EQ(landed.size(), size_t{kWorkers * kCommits});

  auto table = Table::Load(catalog::MakeTablePointer(**store, "curated", "t"), MakeLocalFileIO());
  ASSERT_TRUE(table.ok()) << table.status().ToString();
  const TableMetadata& m = (*table)->metadata();
  EXPECT_EQ(m.snapshots.size(), landed.size());
  EXPECT_EQ(m.last_sequence_number, kWorkers * kCommits);
  // A linear chain: walking parents from the current snapshot visits every landed snapshot.
  std::set<int64_t> chain;
  for (const Snapshot* s = m.CurrentSnapshot(); s != nullptr;
       s = s->parent_snapshot_id ? m.SnapshotById(*s->parent_snapshot_id) : nullptr) {
    chain.insert(s->snapshot_id);
  }
  EXPECT_EQ(chain, landed);
  auto live = (*table)->LiveEntries(*m.CurrentSnapshot());
  ASSERT_TRUE(live.ok());
  std::set<std::string> paths;
  for (const auto& e : *live) paths.insert(e.data_file.file_path);
  EXPECT_EQ(paths.size(), size_t{kWorkers * kCommits});
}

INSTANTIATE_TEST_SUITE_P(Backends, MultiProcessCommitTest, ::testing::Values("sqlite", "postgres"),
                         testing::BackendName);

}  // namespace
}  // namespace tarn::iceberg
