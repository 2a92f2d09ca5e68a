// ManifestCache: hits, keys (FileIO, location, inherited values), LRU eviction by size,
// disabling, errors not cached, concurrent use, and scan planning through the global cache.
#include "tarn/iceberg/manifest_cache.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "iceberg/iceberg_test_util.h"
#include "schema/schema_test_util.h"
#include "tarn/iceberg/scan.h"

namespace tarn::iceberg {
namespace {

using schema::TypeId;
using testing::MemoryFileIO;

schema::Schema TestSchema() {
  return schema::Schema::Make(
             {schema::testing::F(1, "id", true, schema::testing::Prim(TypeId::kLong))})
      .value();
}

// Writes a manifest of `files` data files named <name>-<i> to `io` at mem://<name>.avro.
ManifestFile WriteManifest(MemoryFileIO& io, const std::string& name, int files, int64_t seq = 3) {
  schema::Schema schema = TestSchema();
  PartitionSpec spec;
  std::vector<ManifestEntry> entries;
  for (int i = 0; i < files; ++i) {
    entries.push_back(testing::Entry(name + "-" + std::to_string(i), {}));
  }
  std::string path = "mem://" + name + ".avro";
  auto encoded = EncodeManifest({&schema, 0, &spec, FileContent::kData}, entries, path, 7, seq);
  EXPECT_TRUE(encoded.ok()) << encoded.status().ToString();
  EXPECT_TRUE(io.Write(path, encoded->first).ok());
  return encoded->second;
}

struct Fixture {
  MemoryFileIO io;
  schema::Schema schema = TestSchema();
  PartitionSpec spec;

  ManifestCache::Entries Get(ManifestCache& cache, const ManifestFile& m) {
    auto entries = cache.Manifest(io, m, spec, schema);
    EXPECT_TRUE(entries.ok()) << entries.status().ToString();
    return entries.ok() ? *entries : nullptr;
  }
};

TEST(ManifestCacheTest, SecondReadIsAHit) {
  Fixture f;
  ManifestFile m = WriteManifest(f.io, "a", 3);
  ASSERT_TRUE(f.io.Write("mem://list.avro", EncodeManifestList({m}, 7, {}, 3)).ok());
  ManifestCache cache;
  auto list = cache.ManifestList(f.io, "mem://list.avro");
  ASSERT_TRUE(list.ok()) << list.status().ToString();
  ASSERT_EQ((*list)->size(), 1u);
  auto again = cache.ManifestList(f.io, "mem://list.avro");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(list->get(), again->get());  // shared, not copied

  ManifestCache::Entries first = f.Get(cache, (**list)[0]);
  ManifestCache::Entries second = f.Get(cache, (**list)[0]);
  ASSERT_NE(first, nullptr);
  EXPECT_EQ(first.get(), second.get());
  ASSERT_EQ(first->size(), 3u);
  EXPECT_EQ((*first)[2].data_file.file_path, "a-2");
  EXPECT_EQ(f.io.reads(), 2);
  ManifestCache::Stats stats = cache.stats();
  EXPECT_EQ(stats.hits, 2);
  EXPECT_EQ(stats.misses, 2);
  EXPECT_EQ(stats.entries, 2u);
  EXPECT_GT(stats.bytes, 3 * sizeof(ManifestEntry));
}

TEST(ManifestCacheTest, KeysIncludeWhatDecodingInherits) {
  Fixture f;
  ManifestFile m = WriteManifest(f.io, "a", 1);
  ManifestCache cache;
  EXPECT_EQ((*f.Get(cache, m))[0].sequence_number, 3);  // null in the file: inherited
  ManifestFile later = m;
  later.sequence_number = 5;
  EXPECT_EQ((*f.Get(cache, later))[0].sequence_number, 5);
  EXPECT_EQ(f.io.reads(), 2);

  // Another FileIO with a file at the same location is another file.
  Fixture other;
  WriteManifest(other.io, "a", 2);
  ManifestCache::Entries theirs = cache.Manifest(other.io, m, f.spec, f.schema).value();
  EXPECT_EQ(theirs->size(), 2u);
  EXPECT_EQ(f.Get(cache, m)->size(), 1u);
}

TEST(ManifestCacheTest, EvictsTheLeastRecentlyUsed) {
  Fixture f;
  ManifestFile a = WriteManifest(f.io, "a", 50), b = WriteManifest(f.io, "b", 50),
               c = WriteManifest(f.io, "c", 50);
  ManifestCache probe;
  f.Get(probe, a);
  size_t one = probe.stats().bytes;

  ManifestCache cache(2 * one + one / 2);  // room for two
  f.Get(cache, a);
  f.Get(cache, b);
  f.Get(cache, a);  // a is now more recent than b
  f.Get(cache, c);  // evicts b
  ManifestCache::Stats stats = cache.stats();
  EXPECT_EQ(stats.evictions, 1);
  EXPECT_EQ(stats.entries, 2u);
  EXPECT_LE(stats.bytes, 2 * one + one / 2);
  int reads = f.io.reads();
  f.Get(cache, a);
  f.Get(cache, c);
  EXPECT_EQ(f.io.reads(), reads);
  f.Get(cache, b);
  EXPECT_EQ(f.io.reads(), reads + 1);

  // Shrinking evicts down to the new capacity; a file larger than the capacity is not kept.
  cache.SetCapacity(one + one / 2);
  EXPECT_EQ(cache.stats().entries, 1u);
  cache.SetCapacity(one / 2);
  EXPECT_EQ(cache.stats().entries, 0u);
  ManifestCache::Entries big = f.Get(cache, a);
  EXPECT_EQ(big->size(), 50u);
  EXPECT_EQ(cache.stats().entries, 0u);
}

TEST(ManifestCacheTest, DisabledClearedAndErrorsNotKept) {
  Fixture f;
  ManifestFile m = WriteManifest(f.io, "a", 1);
  ManifestCache cache(0);
  f.Get(cache, m);
  f.Get(cache, m);
  EXPECT_EQ(f.io.reads(), 2);
  EXPECT_EQ(cache.stats().entries, 0u);

  cache.SetCapacity(ManifestCache::kDefaultCapacityBytes);
  f.Get(cache, m);
  cache.Clear();
  EXPECT_EQ(cache.stats().entries, 0u);
  EXPECT_EQ(cache.stats().bytes, 0u);
  f.Get(cache, m);
  EXPECT_EQ(f.io.reads(), 4);

  ManifestFile missing = m;
  missing.manifest_path = "mem://later.avro";
  auto absent = cache.Manifest(f.io, missing, f.spec, f.schema);
  ASSERT_FALSE(absent.ok());
  EXPECT_EQ(absent.status().code(), ErrorCode::kNotFound);
  WriteManifest(f.io, "later", 4);
  EXPECT_EQ(f.Get(cache, missing)->size(), 4u);
  ASSERT_TRUE(f.io.Write("mem://junk.avro", "not avro").ok());
  missing.manifest_path = "mem://junk.avro";
  auto junk = cache.Manifest(f.io, missing, f.spec, f.schema);
  EXPECT_EQ(junk.status().code(), ErrorCode::kCorruption);
  EXPECT_NE(junk.status().message().find("mem://junk.avro"), std::string::npos);
}

TEST(ManifestCacheTest, ConcurrentReaders) {
  Fixture f;
  std::vector<ManifestFile> manifests;
  for (int i = 0; i < 6; ++i) manifests.push_back(WriteManifest(f.io, "m" + std::to_string(i), 20));
  ManifestCache probe;
  f.Get(probe, manifests[0]);
  ManifestCache cache(3 * probe.stats().bytes);  // half of them fit: hits and evictions
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 300; ++i) {
        // Every other read is of one of two hot files; the rest go round all six.
        size_t k = i % 2 == 0 ? t % 2 : (i / 2 + t) % manifests.size();
        const ManifestFile& m = manifests[k];
        auto entries = cache.Manifest(f.io, m, f.spec, f.schema);
        std::string want = m.manifest_path.substr(6, m.manifest_path.size() - 11) + "-19";
        if (!entries.ok() || (*entries)->size() != 20 ||
            (*entries)->back().data_file.file_path != want) {
          ++wrong;
        }
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(wrong.load(), 0);
  ManifestCache::Stats stats = cache.stats();
  EXPECT_EQ(stats.hits + stats.misses, 4 * 300);
  EXPECT_GT(stats.hits, 0);
  EXPECT_GT(stats.evictions, 0);
  EXPECT_LE(stats.entries, 3u);
}

TEST(ManifestCacheTest, ScanPlanningReadsEachFileOnce) {
  testing::TableBuilder t(TestSchema(), {PartitionSpec{}});
  t.Commit({t.Manifest(0, FileContent::kData, {testing::Entry("mem://t/data/a", {})}),
            t.Manifest(0, FileContent::kData, {testing::Entry("mem://t/data/b", {})})});
  auto plan = [&] {
    auto p = PlanScan(t.metadata(), t.current(), {}, t.io());
    EXPECT_TRUE(p.ok()) << p.status().ToString();
    EXPECT_EQ(p.ok() ? p->tasks.size() : 0u, 2u);
  };
  int reads = t.io().reads();
  plan();
  EXPECT_EQ(t.io().reads() - reads, 3);  // the list and two manifests
  plan();
  EXPECT_EQ(t.io().reads() - reads, 3);
  ClearManifestCache();
  plan();
  EXPECT_EQ(t.io().reads() - reads, 6);
}

}  // namespace
}  // namespace tarn::iceberg
