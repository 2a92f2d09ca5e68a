// Decoding of manifest_entry records (internal to the iceberg module): a plan compiled once
// per manifest from its writer schema says, per field, which member of ManifestEntry /
// DataFile it fills (matched by Iceberg field id; partition fields by partition field id, or
// by name where the writer gave none), and the records are decoded straight into those
// structs. Absent, null and mistyped fields read as absent. Immutable once built; Decode may
// run on several threads at once.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "tarn/base/status.h"
#include "tarn/iceberg/avro_decoder.h"
#include "tarn/iceberg/manifest.h"
#include "tarn/iceberg/manifest_schema.h"

namespace tarn::iceberg::internal {

// An int-keyed map of data_file (column_sizes, lower_bounds, ...): an array of key/value
// records matched by the map's key and value ids.
struct MapPlan {
  const AvroNode* container = nullptr;  // the field's array (or Avro map) type
  const AvroNode* entry = nullptr;      // its items, when they are records
  int key = -1, value = -1;             // positions of the key and value fields in `entry`
};

// The partition tuple: which spec fields each writer field fills, by partition field id, or by
// name for spec fields the writer wrote without ids.
struct PartitionPlan {
  const AvroNode* record = nullptr;
  std::vector<std::vector<size_t>> targets;  // per writer field: indexes of spec fields
  std::vector<Literal> nulls;                // the tuple with every field null
  std::optional<int> unknown_id;             // the least field id the spec does not know
};

// Decodes manifest_entry records of one writer schema.
class EntryDecoder {
 public:
  // `root`: the writer schema's top-level type; `partition` (the spec's partition type) must
  // outlive the decoder.
  EntryDecoder(const AvroNode* root, const PartitionTupleType& partition);

  // Errors: kCorruption (undecodable data, a missing required field, a bad status or
  // content), kInvalidArgument (a partition field the spec does not know).
  Status Decode(AvroDecoder& d, ManifestEntry* e) const;

 private:
  struct FileState;
  bool File(AvroDecoder& d, const AvroNode* type, DataFile* f, FileState* st) const;
  void FileField(AvroDecoder& d, uint8_t slot, const AvroNode* type, DataFile* f,
                 FileState* st) const;
  void Partition(AvroDecoder& d, const AvroNode* type, DataFile* f, FileState* st) const;
  static Status Check(const FileState& st, DataFile* f);

  const AvroNode* root_;
  const PartitionTupleType& partition_type_;
  RecordPlan entry_, file_;
  PartitionPlan partition_;
  MapPlan maps_[6];  // column_sizes, value/null/NaN counts, lower/upper bounds
};

}  // namespace tarn::iceberg::internal
