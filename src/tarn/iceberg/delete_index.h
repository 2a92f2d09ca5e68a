// DeleteIndex: the live delete files of a snapshot, grouped by partition, answering which of
// them apply to a data file (Iceberg spec "Scan Planning"):
//   position deletes: data seq <= delete seq, and the same spec and partition tuple or an
//     unpartitioned delete spec; when the delete file's file_path bounds are equal it refers
//     to that one data file only;
//   equality deletes: data seq < delete seq, and the same spec and partition tuple or an
//     unpartitioned delete spec.
// Built once per scan, then read; not thread-safe while being built.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "tarn/iceberg/manifest.h"

namespace tarn::iceberg {

// Field id of the file_path column of position delete files.
inline constexpr int kDeleteFilePathFieldId = 2147483546;
// Field id of the pos column of position delete files.
inline constexpr int kDeletePosFieldId = 2147483545;

class DeleteIndex {
 public:
  // Takes a live delete-file entry (its sequence number set) of a manifest written under
  // `spec_id`; `partitioned` = that spec has partition fields.
  void Add(ManifestEntry entry, int spec_id, bool partitioned);

  // Appends to `out` the delete files that apply to `data`, a data file of spec `spec_id`
  // with data sequence number `data_seq`.
  void AppendApplicable(const DataFile& data, int spec_id, int64_t data_seq,
                        std::vector<DataFile>* out) const;

  bool empty() const { return size_ == 0; }
  int64_t size() const { return size_; }

 private:
  struct Entry {
    DataFile file;
    int64_t sequence_number = 0;
    std::optional<std::string> referenced_data_file;  // position deletes of one file
  };
  static bool Applies(const Entry& e, const DataFile& data, int64_t data_seq);
  static std::string PartitionKey(int spec_id, const std::vector<Literal>& partition);

  std::unordered_map<std::string, std::vector<Entry>> by_partition_;
  std::vector<Entry> global_;
  int64_t size_ = 0;
};

}  // namespace tarn::iceberg
