// Iceberg table metadata (spec "Table Metadata", format version 2): the model, strict parsing
// of v1 and v2 metadata JSON (as other implementations write it), and writing of v2 metadata
// JSON. Plain values; thread-safe for concurrent const use.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "tarn/base/status.h"
#include "tarn/iceberg/transforms.h"
#include "tarn/schema/schema.h"

namespace tarn::iceberg {

struct PartitionField {
  int source_id = 0;
  int field_id = 0;  // partition field ids start at 1000
  std::string name;
  Transform transform;
  bool operator==(const PartitionField&) const = default;
};

// A partition field from text as users write it: "day(event_ts)" or "days(event_ts)" (also
// hour(s), month(s), year(s)), "bucket(16, user_id)", "truncate(4, name)", "identity(country)"
// or just "country"; field_id 0 and no name (NewTableMetadata assigns them).
// Errors: kInvalidArgument (no such column, an unknown transform).
Result<PartitionField> PartitionFieldFromText(const schema::Schema& schema, std::string_view text);

struct PartitionSpec {
  int spec_id = 0;
  std::vector<PartitionField> fields;  // empty = unpartitioned
  bool operator==(const PartitionSpec&) const = default;
};

struct SortField {
  int source_id = 0;
  Transform transform;
  bool ascending = true;
  bool nulls_first = true;
  bool operator==(const SortField&) const = default;
};

struct SortOrder {
  int order_id = 0;  // 0 = unsorted (no fields)
  std::vector<SortField> fields;
  bool operator==(const SortOrder&) const = default;
};

// summary always holds "operation" (append, replace, overwrite, delete) plus the spec's
// optional counters and any engine keys (tarn writes "tarn.*" keys).
struct Snapshot {
  int64_t snapshot_id = 0;
  std::optional<int64_t> parent_snapshot_id;
  int64_t sequence_number = 0;
  int64_t timestamp_ms = 0;
  std::string manifest_list;  // location, as written in the metadata
  std::map<std::string, std::string> summary;
  std::optional<int> schema_id;
  bool operator==(const Snapshot&) const = default;
};

struct SnapshotRef {
  int64_t snapshot_id = 0;
  bool is_branch = true;                       // "branch" or "tag"
  std::optional<int> min_snapshots_to_keep;    // branches only
  std::optional<int64_t> max_snapshot_age_ms;  // branches only
  std::optional<int64_t> max_ref_age_ms;
  bool operator==(const SnapshotRef&) const = default;
};

struct SnapshotLogEntry {
  int64_t timestamp_ms = 0;
  int64_t snapshot_id = 0;
  bool operator==(const SnapshotLogEntry&) const = default;
};

struct MetadataLogEntry {
  int64_t timestamp_ms = 0;
  std::string metadata_file;
  bool operator==(const MetadataLogEntry&) const = default;
};

struct TableMetadata {
  int format_version = 2;
  std::string table_uuid;
  std::string location;
  int64_t last_sequence_number = 0;
  int64_t last_updated_ms = 0;
  int last_column_id = 0;
  std::vector<std::pair<int, schema::Schema>> schemas;  // (schema-id, schema)
  int current_schema_id = 0;
  std::vector<PartitionSpec> specs;
  int default_spec_id = 0;
  int last_partition_id = 999;  // highest partition field id assigned
  std::vector<SortOrder> sort_orders;
  int default_sort_order_id = 0;
  std::map<std::string, std::string> properties;
  std::optional<int64_t> current_snapshot_id;  // JSON -1 / absent = none
  std::vector<Snapshot> snapshots;
  std::vector<SnapshotLogEntry> snapshot_log;
  std::vector<MetadataLogEntry> metadata_log;
  std::map<std::string, SnapshotRef> refs;  // always holds "main" when there is a snapshot
  // Keys this model does not interpret (statistics, partition-statistics, ...), kept as JSON
  // text and written back unchanged.
  std::map<std::string, std::string> extra_json;

  // Lookups; null when absent.
  const schema::Schema* SchemaById(int schema_id) const;
  const schema::Schema* CurrentSchema() const { return SchemaById(current_schema_id); }
  const PartitionSpec* SpecById(int spec_id) const;
  const PartitionSpec* DefaultSpec() const { return SpecById(default_spec_id); }
  const Snapshot* SnapshotById(int64_t snapshot_id) const;
  const Snapshot* CurrentSnapshot() const;
  // The snapshot current at `timestamp_ms` (the last snapshot-log entry at or before it).
  const Snapshot* SnapshotAsOf(int64_t timestamp_ms) const;
};

// Parses table metadata JSON of format version 1 or 2 (v1: legacy "schema"/"partition-spec"
// accepted; v2: "schemas", "partition-specs", "last-partition-id", "sort-orders" required).
// v1 files in the newer layout follow iceberg-rust: "schemas" counts only with
// "current-schema-id" (else the legacy "schema"); "partition-specs" without "default-spec-id"
// defaults to the largest spec id. A missing default spec / sort order with id 0 is taken to
// be unpartitioned / unsorted. "main" is added to refs when there is a current snapshot.
// Format version 3 is rejected ("Cannot read unsupported version 3 ...").
// Errors: kInvalidArgument with the reason, e.g. "Cannot read unsupported version 42",
// "last-partition-id must exist in format v2", "Cannot find schema with current-schema-id=2
// from schemas", "partition-specs must exist in format v2", "sort-orders must exist in format
// v2", "schemas must exist in format v2", "Cannot parse type from json: ...", "No valid schema
// configuration found in table metadata", "Cannot parse missing long: timestamp-ms", a
// current snapshot or ref naming no snapshot, main != current-snapshot-id, a v2 snapshot
// sequence number above last-sequence-number, a default spec or sort order whose source
// column is not in the current schema.
Result<TableMetadata> ParseTableMetadata(const std::string& json);

// Writes metadata JSON with every field the spec requires of a v2 writer, in the spec's key
// names ("current-snapshot-id" is -1 when there is none, as Java writes it), then extra_json.
// The "format-version" is metadata.format_version; for 1 the legacy "schema" and
// "partition-spec" keys v1 readers require are written too.
std::string WriteTableMetadata(const TableMetadata& metadata);

// A partition spec as JSON ({"spec-id": 0, "fields": [{"source-id", "field-id", "name",
// "transform"}]}) and back (a field without "field-id" parses with field_id 0, unassigned); a
// sort order, snapshot and ref likewise. Used in manifests and REST payloads.
// Errors (the parsers): kInvalidArgument naming the missing or mistyped key.
std::string PartitionSpecToJson(const PartitionSpec& spec);
Result<PartitionSpec> PartitionSpecFromJson(const std::string& json);
std::string SortOrderToJson(const SortOrder& order);
Result<SortOrder> SortOrderFromJson(const std::string& json);
std::string SnapshotToJson(const Snapshot& snapshot);
Result<Snapshot> SnapshotFromJson(const std::string& json);
std::string SnapshotRefToJson(const SnapshotRef& ref);
Result<SnapshotRef> SnapshotRefFromJson(const std::string& json);

// The name a partition field gets when none is given: the column for identity, else
// "<column>_<transform>" ("ts_day", "user_id_bucket_16", "name_trunc_4").
std::string DefaultPartitionFieldName(const schema::Schema& schema, const PartitionField& field);

// The struct type of a spec's partition tuple under `schema` (field ids = partition field ids,
// types = ResultType of each transform, all optional). Errors: kInvalidArgument (a source id
// not in the schema, a transform that does not apply).
Result<std::vector<std::pair<PartitionField, PrimitiveType>>> PartitionType(
    const PartitionSpec& spec, const schema::Schema& schema);

}  // namespace tarn::iceberg
