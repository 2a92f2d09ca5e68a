// ManifestCache: decoded manifest lists and manifests, kept in memory and shared, so planning
// a scan again (or another scan of the same snapshot) neither reads nor decodes them again.
//
// Contract:
//   - Keys are the FileIO the file was read through (FileIO::instance_id) and its location.
//     Iceberg never rewrites these files in place (every commit writes new ones under fresh
//     names), so an entry stays right for as long as the file exists. A file deleted, or
//     replaced under the same location through the same FileIO, is not noticed.
//   - Manifests are keyed also by what decoding them depends on besides their bytes: the list
//     entry's length, sequence number and added snapshot id (inherited by entries) and the
//     partition type they are read with (spec and schema).
//   - Bounded by an estimate of the decoded structs' memory; least recently used entries are
//     evicted first; a single file larger than the capacity is returned but not kept.
//   - Errors (reading, decoding) are returned, never cached.
//   - Values are immutable and shared: callers copy what they keep.
// Thread-safe: lookups and inserts take a mutex, reading and decoding happen outside it (two
// threads missing on one file both decode it; the entry is kept once).
#pragma once

#include <cstddef>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "tarn/base/status.h"
#include "tarn/iceberg/file_io.h"
#include "tarn/iceberg/manifest.h"

namespace tarn::iceberg {

class ManifestCache {
 public:
  static constexpr size_t kDefaultCapacityBytes = size_t{64} << 20;

  using List = std::shared_ptr<const std::vector<ManifestFile>>;
  using Entries = std::shared_ptr<const std::vector<ManifestEntry>>;

  struct Stats {
    int64_t hits = 0, misses = 0, evictions = 0;
    size_t entries = 0, bytes = 0;  // held now
  };

  explicit ManifestCache(size_t capacity_bytes = kDefaultCapacityBytes);
  ManifestCache(const ManifestCache&) = delete;
  ManifestCache& operator=(const ManifestCache&) = delete;

  // The process-wide cache scan planning (PlanScan) uses; lives until exit.
  static ManifestCache& Global();

  // The manifest list at `location`: cached, or read through `io` and decoded.
  // Errors: those of FileIO::Read and DecodeManifestList.
  Result<List> ManifestList(FileIO& io, const std::string& location);
  // The entries of `manifest` as DecodeManifest(bytes, manifest, spec, schema) gives them.
  // Errors: those of FileIO::Read and DecodeManifest.
  Result<Entries> Manifest(FileIO& io, const ManifestFile& manifest, const PartitionSpec& spec,
                           const schema::Schema& schema);

  // Drops every entry; the capacity and the counters stay.
  void Clear();
  // 0 disables caching: nothing is kept, every lookup misses. Evicts down to `bytes`.
  void SetCapacity(size_t bytes);
  Stats stats() const;

 private:
  struct Slot {
    std::string key;
    std::shared_ptr<const void> value;
    size_t bytes = 0;
  };

  std::shared_ptr<const void> Lookup(const std::string& key);
  void Insert(std::string key, std::shared_ptr<const void> value, size_t bytes);
  void EvictTo(size_t bytes, std::list<Slot>* evicted);  // with mu_ held

  mutable std::mutex mu_;
  size_t capacity_;
  std::list<Slot> lru_;  // most recently used first
  std::unordered_map<std::string, std::list<Slot>::iterator> index_;
  Stats stats_;
};

// Empties ManifestCache::Global(), e.g. before timing a cold plan.
void ClearManifestCache();

}  // namespace tarn::iceberg
