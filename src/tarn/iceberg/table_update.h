// The Iceberg REST catalog's commit model: table requirements (assertions about the state a
// commit was based on) and table updates (metadata changes), their REST JSON forms
// ({"type": "assert-create"}, {"action": "add-schema", ...}), checking requirements against
// current metadata and applying updates to produce new metadata. Plain values and stateless
// functions; thread-safe. The metadata-log is the committer's business, not this file's.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "tarn/base/status.h"
#include "tarn/iceberg/table_metadata.h"
#include "tarn/schema/schema.h"

namespace tarn::iceberg {

// ---- Requirements (JSON "type") ----

struct AssertCreate {  // the table must not exist yet
  static constexpr std::string_view kType = "assert-create";
};
struct AssertTableUuid {
  static constexpr std::string_view kType = "assert-table-uuid";
  std::string uuid;  // compared case-insensitively
};
struct AssertRefSnapshotId {
  static constexpr std::string_view kType = "assert-ref-snapshot-id";
  std::string ref;
  std::optional<int64_t> snapshot_id;  // nullopt (JSON null): the ref must not exist
};
struct AssertLastAssignedFieldId {
  static constexpr std::string_view kType = "assert-last-assigned-field-id";
  int last_assigned_field_id = 0;
};
struct AssertCurrentSchemaId {
  static constexpr std::string_view kType = "assert-current-schema-id";
  int current_schema_id = 0;
};
struct AssertLastAssignedPartitionId {
  static constexpr std::string_view kType = "assert-last-assigned-partition-id";
  int last_assigned_partition_id = 0;
};
struct AssertDefaultSpecId {
  static constexpr std::string_view kType = "assert-default-spec-id";
  int default_spec_id = 0;
};
struct AssertDefaultSortOrderId {
  static constexpr std::string_view kType = "assert-default-sort-order-id";
  int default_sort_order_id = 0;
};

using TableRequirement =
    std::variant<AssertCreate, AssertTableUuid, AssertRefSnapshotId, AssertLastAssignedFieldId,
                 AssertCurrentSchemaId, AssertLastAssignedPartitionId, AssertDefaultSpecId,
                 AssertDefaultSortOrderId>;

// ---- Updates (JSON "action") ----

struct AssignUuid {
  static constexpr std::string_view kAction = "assign-uuid";
  std::string uuid;
};
struct UpgradeFormatVersion {
  static constexpr std::string_view kAction = "upgrade-format-version";
  int format_version = 2;
};
// The table assigns the schema id (that of an identical schema already in the table, else
// one above the highest); schema_id is the id the request carried, kept for round trips.
struct AddSchema {
  static constexpr std::string_view kAction = "add-schema";
  schema::Schema schema;
  int schema_id = 0;
  std::optional<int> last_column_id;  // deprecated in the REST spec; never lowers the table's
};
struct SetCurrentSchema {
  static constexpr std::string_view kAction = "set-current-schema";
  int schema_id = -1;  // -1 = the schema added last in this commit
};
// The table assigns the spec id likewise; partition field ids of 0 get the id of an existing
// field with the same source and transform, else the next id above last-partition-id.
struct AddSpec {
  static constexpr std::string_view kAction = "add-spec";
  PartitionSpec spec;
};
struct SetDefaultSpec {
  static constexpr std::string_view kAction = "set-default-spec";
  int spec_id = -1;  // -1 = the spec added last in this commit
};
// Order ids likewise (an order without fields is always the unsorted order 0).
struct AddSortOrder {
  static constexpr std::string_view kAction = "add-sort-order";
  SortOrder sort_order;
};
struct SetDefaultSortOrder {
  static constexpr std::string_view kAction = "set-default-sort-order";
  int sort_order_id = -1;  // -1 = the order added last in this commit
};
struct AddSnapshot {
  static constexpr std::string_view kAction = "add-snapshot";
  Snapshot snapshot;
};
// Setting "main" also sets current-snapshot-id and appends to the snapshot-log.
struct SetSnapshotRef {
  static constexpr std::string_view kAction = "set-snapshot-ref";
  std::string ref_name;
  SnapshotRef ref;
};
// Also removes the refs that point at removed snapshots (main: no current snapshot after).
struct RemoveSnapshots {
  static constexpr std::string_view kAction = "remove-snapshots";
  std::vector<int64_t> snapshot_ids;
};
struct RemoveSnapshotRef {
  static constexpr std::string_view kAction = "remove-snapshot-ref";
  std::string ref_name;
};
struct SetLocation {
  static constexpr std::string_view kAction = "set-location";
  std::string location;
};
struct SetProperties {
  static constexpr std::string_view kAction = "set-properties";
  std::map<std::string, std::string> updates;
};
struct RemoveProperties {
  static constexpr std::string_view kAction = "remove-properties";
  std::vector<std::string> removals;
};

using TableUpdate =
    std::variant<AssignUuid, UpgradeFormatVersion, AddSchema, SetCurrentSchema, AddSpec,
                 SetDefaultSpec, AddSortOrder, SetDefaultSortOrder, AddSnapshot, SetSnapshotRef,
                 RemoveSnapshots, RemoveSnapshotRef, SetLocation, SetProperties, RemoveProperties>;

// "assert-create", ... / "add-schema", ...
std::string_view RequirementType(const TableRequirement& requirement);
std::string_view UpdateAction(const TableUpdate& update);

// REST JSON, one object or an array of them (a CommitTableRequest's "requirements" and
// "updates"). Errors: kInvalidArgument (not JSON, an unknown "type" / "action" such as
// "set-statistics", a missing or mistyped key; array parsers name the failing index).
Result<TableRequirement> TableRequirementFromJson(const std::string& json);
Result<std::vector<TableRequirement>> TableRequirementsFromJson(const std::string& json_array);
std::string TableRequirementToJson(const TableRequirement& requirement);
std::string TableRequirementsToJson(const std::vector<TableRequirement>& requirements);
Result<TableUpdate> TableUpdateFromJson(const std::string& json);
Result<std::vector<TableUpdate>> TableUpdatesFromJson(const std::string& json_array);
std::string TableUpdateToJson(const TableUpdate& update);
std::string TableUpdatesToJson(const std::vector<TableUpdate>& updates);

// Checks every requirement against `base` (null = the table does not exist). Errors:
// kConflict with the Java catalog's message, e.g. "Requirement failed: current schema changed:
// expected id 1 != 2", "Requirement failed: table already exists", "Requirement failed: branch
// main has changed: expected id 5 != 6", "Requirement failed: table does not exist".
Status CheckRequirements(const TableMetadata* base,
                         const std::vector<TableRequirement>& requirements);

// Applies `updates` in order to a copy of `base`. Maintains last-column-id, last-partition-id,
// last-sequence-number (from added snapshots), current-snapshot-id and the snapshot-log (main
// changes: the snapshot's timestamp when it was added in this commit, else now_ms), drops
// statistics of removed snapshots, and sets last-updated-ms to now_ms (never before the last
// snapshot-log entry) unless `updates` is empty. A create transaction's updates can be applied
// to TableMetadata{} (a missing default spec / sort order 0 becomes unpartitioned / unsorted).
// Errors: kInvalidArgument (unknown schema / spec / sort order / snapshot ids, -1 with nothing
// added, a source column missing from the current schema, a transform that does not apply, a
// duplicate snapshot id, a downgrade, no current schema at the end); kConflict ("Cannot add
// snapshot with sequence number 3 older than last sequence number 5").
Result<TableMetadata> ApplyUpdates(const TableMetadata& base,
                                   const std::vector<TableUpdate>& updates, int64_t now_ms);

// Metadata (format v2) for a new table with schema id 0, spec id 0, one sort order and no
// snapshots. Schema field ids are kept when every field, element, key and value has one (> 0);
// otherwise all are assigned 1..n depth-first (a field before its children), and then the
// spec's and order's source ids refer to the new ids. Partition field ids are assigned from
// 1000; the order gets id 1 (0 when it has no fields). Errors: kInvalidArgument (empty uuid or
// location, a source id not in the schema, a transform that does not apply, identifier field
// ids on a schema whose ids must be assigned).
Result<TableMetadata> NewTableMetadata(const schema::Schema& schema, const PartitionSpec& spec,
                                       const SortOrder& order, std::string location,
                                       std::map<std::string, std::string> properties,
                                       std::string uuid, int64_t now_ms);

}  // namespace tarn::iceberg
