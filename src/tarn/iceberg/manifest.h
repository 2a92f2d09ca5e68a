// Manifests and manifest lists (Iceberg spec "Manifests", "Manifest Lists", format v2): the
// entry model and their Avro encoding with the spec's schemas and field ids, the key-value
// metadata the spec asks for (schema, partition-spec, partition-spec-id, format-version,
// content; snapshot-id, parent-snapshot-id, sequence-number on lists). Readers match fields by
// field id, so files from other writers (older field names, v1 layouts) read too. Encoding
// works on byte strings; where they are stored is the caller's business. Stateless functions;
// thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "tarn/base/status.h"
#include "tarn/iceberg/literal.h"
#include "tarn/iceberg/table_metadata.h"
#include "tarn/schema/schema.h"

namespace tarn::iceberg {

enum class FileContent { kData = 0, kPositionDeletes = 1, kEqualityDeletes = 2 };

// A data or delete file (manifest entry field data_file, id 2).
struct DataFile {
  FileContent content = FileContent::kData;
  std::string file_path;          // full location, as written in the manifest
  std::string file_format = "PARQUET";
  std::vector<Literal> partition;  // one per field of the spec it was written under
  int64_t record_count = 0;
  int64_t file_size_in_bytes = 0;
  std::map<int, int64_t> column_sizes;        // field id -> bytes
  std::map<int, int64_t> value_counts;        // including nulls
  std::map<int, int64_t> null_value_counts;
  std::map<int, int64_t> nan_value_counts;
  std::map<int, std::string> lower_bounds;    // field id -> binary single-value serialization
  std::map<int, std::string> upper_bounds;
  std::vector<int64_t> split_offsets;
  std::vector<int> equality_ids;              // equality deletes only
  std::optional<int> sort_order_id;

  bool operator==(const DataFile&) const = default;
};

enum class EntryStatus { kExisting = 0, kAdded = 1, kDeleted = 2 };

struct ManifestEntry {
  EntryStatus status = EntryStatus::kAdded;
  // Null in the file = inherited from the manifest (list entry) when reading; a reader fills
  // them in, so after ReadManifest they are always set.
  std::optional<int64_t> snapshot_id;
  std::optional<int64_t> sequence_number;       // data sequence number
  std::optional<int64_t> file_sequence_number;
  DataFile data_file;
};

// Partition field summary of a manifest (manifest list field 507).
struct FieldSummary {
  bool contains_null = false;
  std::optional<bool> contains_nan;  // false for types without NaN (as Java writes it)
  std::optional<std::string> lower_bound;  // binary single-value serialization
  std::optional<std::string> upper_bound;
};

// An entry of a manifest list.
struct ManifestFile {
  std::string manifest_path;
  int64_t manifest_length = 0;
  int partition_spec_id = 0;
  // As the list stores it: kData for a data manifest, kPositionDeletes (1, "deletes") for any
  // delete manifest, equality deletes included.
  FileContent content = FileContent::kData;
  int64_t sequence_number = 0;
  int64_t min_sequence_number = 0;
  int64_t added_snapshot_id = 0;
  int added_files_count = 0, existing_files_count = 0, deleted_files_count = 0;
  int64_t added_rows_count = 0, existing_rows_count = 0, deleted_rows_count = 0;
  std::vector<FieldSummary> partitions;  // one per partition field of the spec
  std::optional<std::string> key_metadata;
};

// What a manifest's writer needs to know: the table schema and the spec its entries use.
struct ManifestContext {
  const schema::Schema* schema = nullptr;
  int schema_id = 0;
  const PartitionSpec* spec = nullptr;
  FileContent content = FileContent::kData;  // kData for data manifests; deletes otherwise
};

// Encodes a manifest Avro file (deflate-compressed) holding `entries`, and describes it as a
// manifest-list entry (counts, partition summaries, min sequence number) for `snapshot_id` at
// `sequence_number`; manifest_path is set to `path`, manifest_length to the encoded size.
// Entries whose snapshot_id/sequence numbers are unset are written as null (inherited); empty
// maps and lists of a DataFile as null. Errors: kInvalidArgument (a partition tuple that does
// not match the spec: wrong arity, a value of another type, a decimal of another scale; a spec
// that does not apply to the schema; an EXISTING or DELETED entry without sequence_number).
Result<std::pair<std::string, ManifestFile>> EncodeManifest(
    const ManifestContext& ctx, const std::vector<ManifestEntry>& entries,
    const std::string& path, int64_t snapshot_id, int64_t sequence_number);

// Decodes a manifest file's entries, inheriting snapshot id and sequence numbers from
// `manifest` where they are null (spec "Sequence Number Inheritance"). The partition tuple is
// decoded with `spec` under `schema`. Errors: kCorruption (not Avro, missing required fields,
// an EXISTING/DELETED entry without a sequence number in a v2 manifest), kInvalidArgument (a
// partition field the spec does not know, a header partition-spec-id other than spec's, an
// Avro codec other than null and deflate, e.g. snappy). Messages start "manifest <path>: ".
Result<std::vector<ManifestEntry>> DecodeManifest(const std::string& bytes,
                                                  const ManifestFile& manifest,
                                                  const PartitionSpec& spec,
                                                  const schema::Schema& schema);

// Encodes / decodes a manifest list (deflate-compressed). Decoding accepts v1 lists (no
// sequence numbers or content: both read as 0 / data) and both the old
// (added_data_files_count) and current (added_files_count) field names, matched by field id.
// Decoding errors: kCorruption (not Avro, missing manifest_path/length/spec id/snapshot id),
// kInvalidArgument (an Avro codec other than null and deflate).
std::string EncodeManifestList(const std::vector<ManifestFile>& manifests, int64_t snapshot_id,
                               std::optional<int64_t> parent_snapshot_id,
                               int64_t sequence_number);
Result<std::vector<ManifestFile>> DecodeManifestList(const std::string& bytes);

}  // namespace tarn::iceberg
