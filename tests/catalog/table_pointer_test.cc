// Iceberg table pointers in the catalog: create, compare-and-swap under concurrency, drop; on
// SQLite and PostgreSQL alike.
#include <atomic>
#include <thread>

#include "catalog/store_fixture.h"
#include "tarn/catalog/catalog_store.h"

namespace tarn::catalog {
namespace {

class TablePointerTest : public testing::BackendTest {
 protected:
  void SetUp() override {
    BackendTest::SetUp();
    auto opened = CatalogStore::Open(url_);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    store_ = std::move(opened).value();
  }
  std::unique_ptr<CatalogStore> store_;
};

TEST_P(TablePointerTest, CreateGetListDrop) {
  auto t = store_->CreateTable("curated", "orders", "/lake/curated/orders/metadata/v1.json");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->metadata_location, "/lake/curated/orders/metadata/v1.json");
  EXPECT_FALSE(t->previous_metadata_location.has_value());
  EXPECT_EQ(store_->CreateTable("curated", "orders", "x").status().code(),
            ErrorCode::kAlreadyExists);
  ASSERT_TRUE(store_->CreateTable("serving", "orders", "y").ok());
  ASSERT_TRUE(store_->CreateTable("curated", "events", "z").ok());
  auto listed = store_->ListTables("curated");
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 2u);
  EXPECT_EQ((*listed)[0].name, "events");
  EXPECT_EQ((*listed)[1].name, "orders");
  ASSERT_TRUE(store_->DropTable("curated", "orders").ok());
  EXPECT_EQ(store_->GetTable("curated", "orders").status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(store_->DropTable("curated", "orders").code(), ErrorCode::kNotFound);
  EXPECT_TRUE(store_->GetTable("serving", "orders").ok());
}

TEST_P(TablePointerTest, SwapIsCompareAndSwap) {
  ASSERT_TRUE(store_->CreateTable("curated", "t", "m1").ok());
  ASSERT_TRUE(store_->SwapTableMetadata("curated", "t", "m1", "m2").ok());
  auto t = store_->GetTable("curated", "t");
  EXPECT_EQ(t->metadata_location, "m2");
  EXPECT_EQ(t->previous_metadata_location, "m1");
  Status lost = store_->SwapTableMetadata("curated", "t", "m1", "m3");
  EXPECT_EQ(lost.code(), ErrorCode::kConflict);
  EXPECT_NE(lost.message().find("found m2"), std::string::npos) << lost.message();
  EXPECT_EQ(store_->GetTable("curated", "t")->metadata_location, "m2");
  EXPECT_EQ(store_->SwapTableMetadata("curated", "nope", "a", "b").code(),
            ErrorCode::kNotFound);
}

// Racing writers that each retry on conflict: every one of their commits lands exactly once.
TEST_P(TablePointerTest, ConcurrentSwapsNeverLoseACommit) {
  ASSERT_TRUE(store_->CreateTable("curated", "t", "0").ok());
  constexpr int kThreads = 4, kCommits = 25;
  std::atomic<int> conflicts{0};
  std::vector<std::thread> threads;
  for (int w = 0; w < kThreads; ++w) {
    threads.emplace_back([&] {
      for (int i = 0; i < kCommits; ++i) {
        while (true) {
          std::string seen = store_->GetTable("curated", "t")->metadata_location;
          std::string next = std::to_string(std::stoi(seen) + 1);
          Status st = store_->SwapTableMetadata("curated", "t", seen, next);
          if (st.ok()) break;
          ASSERT_EQ(st.code(), ErrorCode::kConflict) << st.ToString();
          ++conflicts;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(store_->GetTable("curated", "t")->metadata_location,
            std::to_string(kThreads * kCommits));
}

INSTANTIATE_TEST_SUITE_P(Backends, TablePointerTest, ::testing::Values("sqlite", "postgres"),
                         testing::BackendName);

}  // namespace
}  // namespace tarn::catalog
