#include "tarn/iceberg/manifest_cache.h"

#include <map>
#include <optional>
#include <type_traits>
#include <utility>

namespace tarn::iceberg {
namespace {

// Heap estimates of the decoded structs: sizes of what they point to, with std::map nodes at
// their payload plus three pointers and a color word, allocations beyond short strings.
size_t Heap(const std::string& s) { return s.capacity() > 15 ? s.capacity() + 1 : 0; }

template <typename V>
size_t Heap(const std::map<int, V>& m) {
  size_t bytes = m.size() * (32 + sizeof(std::pair<const int, V>));
  if constexpr (std::is_same_v<V, std::string>) {
    for (const auto& [k, v] : m) bytes += Heap(v);
  }
  return bytes;
}

size_t Heap(const DataFile& f) {
  size_t bytes = Heap(f.file_path) + Heap(f.file_format) + Heap(f.column_sizes) +
                 Heap(f.value_counts) + Heap(f.null_value_counts) + Heap(f.nan_value_counts) +
                 Heap(f.lower_bounds) + Heap(f.upper_bounds);
  bytes += f.partition.capacity() * sizeof(Literal);
  for (const Literal& v : f.partition) bytes += Heap(v.s);
  return bytes + f.split_offsets.capacity() * sizeof(int64_t) +
         f.equality_ids.capacity() * sizeof(int);
}

size_t Heap(const ManifestFile& m) {
  size_t bytes = Heap(m.manifest_path) + m.partitions.capacity() * sizeof(FieldSummary);
  for (const FieldSummary& s : m.partitions) {
    bytes += Heap(s.lower_bound.value_or("")) + Heap(s.upper_bound.value_or(""));
  }
  return bytes + Heap(m.key_metadata.value_or(""));
}

template <typename T>
size_t Bytes(const std::vector<T>& v) {
  size_t bytes = sizeof(v) + v.capacity() * sizeof(T);
  for (const T& x : v) {
    if constexpr (std::is_same_v<T, ManifestEntry>) {
      bytes += Heap(x.data_file);
    } else {
      bytes += Heap(x);
    }
  }
  return bytes;
}

std::string ListKey(const FileIO& io, const std::string& location) {
  return "L" + std::to_string(io.instance_id()) + '\n' + location;
}

// Null when the partition type cannot be derived (decoding then reports why).
std::optional<std::string> ManifestKey(const FileIO& io, const ManifestFile& m,
                                       const PartitionSpec& spec, const schema::Schema& schema) {
  Result<std::vector<std::pair<PartitionField, PrimitiveType>>> type = PartitionType(spec, schema);
  if (!type.ok()) return std::nullopt;
  std::string key = "M" + std::to_string(io.instance_id()) + '\n' + m.manifest_path + '\n' +
                    std::to_string(m.manifest_length) + ' ' + std::to_string(m.sequence_number) +
                    ' ' + std::to_string(m.added_snapshot_id) + ' ' + std::to_string(spec.spec_id);
  for (const auto& [field, t] : *type) {
    key += ' ' + std::to_string(field.field_id) + '=' + field.name + ':' + t.ToString();
  }
  return key;
}

}  // namespace

ManifestCache::ManifestCache(size_t capacity_bytes) : capacity_(capacity_bytes) {}

ManifestCache& ManifestCache::Global() {
  static ManifestCache* cache = new ManifestCache();  // never destroyed: used until exit
  return *cache;
}

Result<ManifestCache::List> ManifestCache::ManifestList(FileIO& io, const std::string& location) {
  std::string key = ListKey(io, location);
  if (auto hit = Lookup(key)) return std::static_pointer_cast<const std::vector<ManifestFile>>(hit);
  TARN_ASSIGN_OR_RETURN(std::string bytes, io.Read(location));
  TARN_ASSIGN_OR_RETURN(std::vector<ManifestFile> list, DecodeManifestList(bytes));
  auto value = std::make_shared<const std::vector<ManifestFile>>(std::move(list));
  Insert(std::move(key), value, Bytes(*value));
  return List(std::move(value));
}

Result<ManifestCache::Entries> ManifestCache::Manifest(FileIO& io, const ManifestFile& manifest,
                                                       const PartitionSpec& spec,
                                                       const schema::Schema& schema) {
  std::optional<std::string> key = ManifestKey(io, manifest, spec, schema);
  if (key) {
    if (auto hit = Lookup(*key)) {
      return std::static_pointer_cast<const std::vector<ManifestEntry>>(hit);
    }
  }
  TARN_ASSIGN_OR_RETURN(std::string bytes, io.Read(manifest.manifest_path));
  TARN_ASSIGN_OR_RETURN(std::vector<ManifestEntry> entries,
                        DecodeManifest(bytes, manifest, spec, schema));
  auto value = std::make_shared<const std::vector<ManifestEntry>>(std::move(entries));
  if (key) Insert(std::move(*key), value, Bytes(*value));
  return Entries(std::move(value));
}

std::shared_ptr<const void> ManifestCache::Lookup(const std::string& key) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = index_.find(key);
  if (it == index_.end()) {
    ++stats_.misses;
    return nullptr;
  }
  ++stats_.hits;
  lru_.splice(lru_.begin(), lru_, it->second);
  return it->second->value;
}

// Evicted values are destroyed after the mutex is released (freeing a large manifest's
// entries takes a while).
void ManifestCache::Insert(std::string key, std::shared_ptr<const void> value, size_t bytes) {
  std::list<Slot> evicted;
  std::lock_guard<std::mutex> lock(mu_);
  if (bytes > capacity_ || index_.count(key) != 0) return;  // too large, or kept meanwhile
  EvictTo(capacity_ - bytes, &evicted);
  lru_.push_front(Slot{key, std::move(value), bytes});
  index_.emplace(std::move(key), lru_.begin());
  ++stats_.entries;
  stats_.bytes += bytes;
}

void ManifestCache::EvictTo(size_t bytes, std::list<Slot>* evicted) {
  while (stats_.bytes > bytes && !lru_.empty()) {
    stats_.bytes -= lru_.back().bytes;
    --stats_.entries;
    ++stats_.evictions;
    index_.erase(lru_.back().key);
    evicted->splice(evicted->begin(), lru_, std::prev(lru_.end()));
  }
}

void ManifestCache::Clear() {
  std::list<Slot> dropped;
  std::lock_guard<std::mutex> lock(mu_);
  index_.clear();
  dropped.swap(lru_);
  stats_.entries = 0;
  stats_.bytes = 0;
}

void ManifestCache::SetCapacity(size_t bytes) {
  std::list<Slot> evicted;
  std::lock_guard<std::mutex> lock(mu_);
  capacity_ = bytes;
  EvictTo(bytes, &evicted);
}

ManifestCache::Stats ManifestCache::stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stats_;
}

void ClearManifestCache() { ManifestCache::Global().Clear(); }

}  // namespace tarn::iceberg
