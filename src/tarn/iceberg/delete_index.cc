#include "tarn/iceberg/delete_index.h"

#include <utility>

namespace tarn::iceberg {
namespace {

// The data file a position delete file refers to, when all its rows name one file (writers
// record that as equal lower and upper bounds of file_path).
std::optional<std::string> ReferencedDataFile(const DataFile& file) {
  if (file.content != FileContent::kPositionDeletes) return std::nullopt;
  auto lo = file.lower_bounds.find(kDeleteFilePathFieldId);
  auto hi = file.upper_bounds.find(kDeleteFilePathFieldId);
  if (lo == file.lower_bounds.end() || hi == file.upper_bounds.end()) return std::nullopt;
  if (lo->second != hi->second) return std::nullopt;
  return lo->second;
}

}  // namespace

std::string DeleteIndex::PartitionKey(int spec_id, const std::vector<Literal>& partition) {
  std::string key = std::to_string(spec_id);
  for (const Literal& v : partition) {
    if (v.is_null) {
      key += "|n";
      continue;
    }
    std::string bytes = ToBinary(v);
    key += "|v" + std::to_string(bytes.size()) + ":";
    key += bytes;
  }
  return key;
}

void DeleteIndex::Add(ManifestEntry entry, int spec_id, bool partitioned) {
  Entry e;
  e.sequence_number = entry.sequence_number.value_or(0);
  e.referenced_data_file = ReferencedDataFile(entry.data_file);
  e.file = std::move(entry.data_file);
  ++size_;
  if (!partitioned) {
    global_.push_back(std::move(e));
    return;
  }
  by_partition_[PartitionKey(spec_id, e.file.partition)].push_back(std::move(e));
}

bool DeleteIndex::Applies(const Entry& e, const DataFile& data, int64_t data_seq) {
  if (e.file.content == FileContent::kPositionDeletes) {
    if (data_seq > e.sequence_number) return false;
    return !e.referenced_data_file || *e.referenced_data_file == data.file_path;
  }
  return data_seq < e.sequence_number;
}

void DeleteIndex::AppendApplicable(const DataFile& data, int spec_id, int64_t data_seq,
                                   std::vector<DataFile>* out) const {
  for (const Entry& e : global_) {
    if (Applies(e, data, data_seq)) out->push_back(e.file);
  }
  if (by_partition_.empty()) return;
  auto it = by_partition_.find(PartitionKey(spec_id, data.partition));
  if (it == by_partition_.end()) return;
  for (const Entry& e : it->second) {
    if (Applies(e, data, data_seq)) out->push_back(e.file);
  }
}

}  // namespace tarn::iceberg
