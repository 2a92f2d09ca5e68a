// CheckRequirements and ApplyUpdates: the semantics of Java's UpdateRequirement and
// TableMetadata.Builder, which REST clients (Java, PyIceberg, iceberg-rust) rely on.
#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>
#include <set>

#include "tarn/iceberg/json_internal.h"
#include "tarn/iceberg/table_update.h"

namespace tarn::iceberg {
namespace {

Status Failed(const std::string& what) { return Conflict("Requirement failed: " + what); }

Status Changed(const char* what, int64_t expected, int64_t actual) {
  if (expected == actual) return Status::OK();
  return Failed(std::string(what) + " changed: expected id " + std::to_string(expected) +
                " != " + std::to_string(actual));
}

bool EqualsIgnoreCase(const std::string& a, const std::string& b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](unsigned char x, unsigned char y) {
    return std::tolower(x) == std::tolower(y);
  });
}

// One requirement against existing metadata.
struct RequirementChecker {
  const TableMetadata& base;

  Status operator()(const AssertCreate&) const { return Failed("table already exists"); }
  Status operator()(const AssertTableUuid& r) const {
    if (EqualsIgnoreCase(r.uuid, base.table_uuid)) return Status::OK();
    return Failed("UUID does not match: expected " + r.uuid + " != " + base.table_uuid);
  }
  Status operator()(const AssertRefSnapshotId& r) const {
    auto it = base.refs.find(r.ref);
    if (it == base.refs.end()) {
      if (!r.snapshot_id) return Status::OK();
      return Failed("branch or tag " + r.ref + " is missing, expected " +
                    std::to_string(*r.snapshot_id));
    }
    std::string ref = (it->second.is_branch ? "branch " : "tag ") + r.ref;
    if (!r.snapshot_id) return Failed(ref + " was created concurrently");
    if (*r.snapshot_id == it->second.snapshot_id) return Status::OK();
    return Failed(ref + " has changed: expected id " + std::to_string(*r.snapshot_id) +
                  " != " + std::to_string(it->second.snapshot_id));
  }
  Status operator()(const AssertLastAssignedFieldId& r) const {
    return Changed("last assigned field id", r.last_assigned_field_id, base.last_column_id);
  }
  Status operator()(const AssertCurrentSchemaId& r) const {
    return Changed("current schema", r.current_schema_id, base.current_schema_id);
  }
  Status operator()(const AssertLastAssignedPartitionId& r) const {
    return Changed("last assigned partition id", r.last_assigned_partition_id,
                   base.last_partition_id);
  }
  Status operator()(const AssertDefaultSpecId& r) const {
    return Changed("default partition spec", r.default_spec_id, base.default_spec_id);
  }
  Status operator()(const AssertDefaultSortOrderId& r) const {
    return Changed("default sort order", r.default_sort_order_id, base.default_sort_order_id);
  }
};

bool SameSchema(const schema::Schema& a, const schema::Schema& b) {
  return schema::SchemaToIcebergJson(a, 0) == schema::SchemaToIcebergJson(b, 0);
}

template <typename T, typename Id>
int NextId(const std::vector<T>& items, Id id_of) {
  int next = 0;
  for (const T& item : items) next = std::max(next, id_of(item) + 1);
  return next;
}

// Applies updates one at a time to its copy of the metadata (one commit's worth of state:
// the ids added last, the snapshots added).
class Applier {
 public:
  Applier(const TableMetadata& base, int64_t now_ms) : md_(base), now_ms_(now_ms) {}

  Status Apply(const TableUpdate& update) {
    Status st = std::visit([this](const auto& u) { return Do(u); }, update);
    return st.ok() ? st : st.WithContext(std::string(UpdateAction(update)));
  }

  Result<TableMetadata> Finish();

 private:
  Status Do(const AssignUuid& u);
  Status Do(const UpgradeFormatVersion& u);
  Status Do(const AddSchema& u);
  Status Do(const SetCurrentSchema& u);
  Status Do(const AddSpec& u);
  Status Do(const SetDefaultSpec& u);
  Status Do(const AddSortOrder& u);
  Status Do(const SetDefaultSortOrder& u);
  Status Do(const AddSnapshot& u);
  Status Do(const SetSnapshotRef& u);
  Status Do(const RemoveSnapshots& u);
  Status Do(const RemoveSnapshotRef& u);
  Status Do(const SetLocation& u);
  Status Do(const SetProperties& u);
  Status Do(const RemoveProperties& u);

  Result<int> LastAdded(int id, const std::optional<int>& last_added, const char* what) const;
  Status CheckSourceIds(const std::vector<int>& source_ids, const char* what) const;
  void AssignPartitionFieldIds(PartitionSpec& spec);
  void RebuildSnapshotLog();
  void DropStatistics(const std::set<int64_t>& removed);

  TableMetadata md_;
  int64_t now_ms_;
  std::optional<int> last_added_schema_, last_added_spec_, last_added_order_;
  std::set<int64_t> added_snapshots_;
};

Status Applier::Do(const AssignUuid& u) {
  if (u.uuid.empty()) return InvalidArgument("Cannot set uuid to an empty string");
  md_.table_uuid = u.uuid;
  return Status::OK();
}

Status Applier::Do(const UpgradeFormatVersion& u) {
  if (u.format_version > 2) {
    return InvalidArgument("Cannot upgrade table to unsupported format version: v" +
                           std::to_string(u.format_version) + " (supported: v2)");
  }
  if (u.format_version < md_.format_version) {
    return InvalidArgument("Cannot downgrade v" + std::to_string(md_.format_version) +
                           " table to v" + std::to_string(u.format_version));
  }
  md_.format_version = u.format_version;
  return Status::OK();
}

Status Applier::Do(const AddSchema& u) {
  if (u.last_column_id && *u.last_column_id < md_.last_column_id) {
    return InvalidArgument("Invalid last column ID: " + std::to_string(*u.last_column_id) + " < " +
                           std::to_string(md_.last_column_id) + " (previous last column ID)");
  }
  auto same = std::find_if(md_.schemas.begin(), md_.schemas.end(),
                           [&](const auto& s) { return SameSchema(s.second, u.schema); });
  int id = same != md_.schemas.end() ? same->first
                                     : NextId(md_.schemas, [](const auto& s) { return s.first; });
  if (same == md_.schemas.end()) md_.schemas.emplace_back(id, u.schema);
  md_.last_column_id =
      std::max({md_.last_column_id, u.last_column_id.value_or(0), u.schema.highest_field_id()});
  last_added_schema_ = id;
  return Status::OK();
}

Result<int> Applier::LastAdded(int id, const std::optional<int>& last_added,
                               const char* what) const {
  if (id != -1) return id;
  if (!last_added) {
    return InvalidArgument(std::string("Cannot set last added ") + what + ": no " + what +
                           " has been added");
  }
  return *last_added;
}

Status Applier::Do(const SetCurrentSchema& u) {
  TARN_ASSIGN_OR_RETURN(int id, LastAdded(u.schema_id, last_added_schema_, "schema"));
  if (md_.SchemaById(id) == nullptr) {
    return InvalidArgument("Cannot set current schema to unknown schema: " + std::to_string(id));
  }
  md_.current_schema_id = id;
  return Status::OK();
}

Status Applier::CheckSourceIds(const std::vector<int>& source_ids, const char* what) const {
  const schema::Schema* schema = md_.CurrentSchema();
  if (schema == nullptr) {
    return InvalidArgument(std::string("Cannot add ") + what + ": the table has no current schema");
  }
  for (int id : source_ids) {
    if (schema->FindById(id) == nullptr) {
      return InvalidArgument(std::string("Cannot add ") + what +
                             ": Cannot find source column: " + std::to_string(id));
    }
  }
  return Status::OK();
}

// Unassigned (0) ids reuse the id of an existing field with the same source and transform
// (as Java does for v2 tables), else take the next id above last-partition-id.
void Applier::AssignPartitionFieldIds(PartitionSpec& spec) {
  for (PartitionField& f : spec.fields) {
    if (f.field_id != 0) continue;
    for (const PartitionSpec& existing : md_.specs) {
      for (const PartitionField& e : existing.fields) {
        if (e.source_id == f.source_id && e.transform == f.transform) f.field_id = e.field_id;
      }
    }
    if (f.field_id == 0) f.field_id = ++md_.last_partition_id;
  }
}

Status Applier::Do(const AddSpec& u) {
  PartitionSpec spec = u.spec;
  std::vector<int> sources;
  for (const PartitionField& f : spec.fields) sources.push_back(f.source_id);
  TARN_RETURN_IF_ERROR(CheckSourceIds(sources, "partition spec"));
  TARN_RETURN_IF_ERROR(PartitionType(spec, *md_.CurrentSchema()).status());
  AssignPartitionFieldIds(spec);
  auto same = std::find_if(md_.specs.begin(), md_.specs.end(),
                           [&](const PartitionSpec& s) { return s.fields == spec.fields; });
  if (same != md_.specs.end()) {
    spec.spec_id = same->spec_id;
  } else {
    spec.spec_id = NextId(md_.specs, [](const PartitionSpec& s) { return s.spec_id; });
    md_.specs.push_back(spec);
  }
  for (const PartitionField& f : spec.fields) {
    md_.last_partition_id = std::max(md_.last_partition_id, f.field_id);
  }
  last_added_spec_ = spec.spec_id;
  return Status::OK();
}

Status Applier::Do(const SetDefaultSpec& u) {
  TARN_ASSIGN_OR_RETURN(int id, LastAdded(u.spec_id, last_added_spec_, "spec"));
  if (md_.SpecById(id) == nullptr) {
    return InvalidArgument("Cannot set default partition spec to unknown spec: " +
                           std::to_string(id));
  }
  md_.default_spec_id = id;
  return Status::OK();
}

Status Applier::Do(const AddSortOrder& u) {
  SortOrder order = u.sort_order;
  std::vector<int> sources;
  for (const SortField& f : order.fields) sources.push_back(f.source_id);
  TARN_RETURN_IF_ERROR(CheckSourceIds(sources, "sort order"));
  auto same = std::find_if(md_.sort_orders.begin(), md_.sort_orders.end(),
                           [&](const SortOrder& o) { return o.fields == order.fields; });
  if (same != md_.sort_orders.end()) {
    order.order_id = same->order_id;
  } else {
    order.order_id =
        order.fields.empty()
            ? 0
            : std::max(1, NextId(md_.sort_orders, [](const SortOrder& o) { return o.order_id; }));
    md_.sort_orders.push_back(order);
  }
  last_added_order_ = order.order_id;
  return Status::OK();
}

Status Applier::Do(const SetDefaultSortOrder& u) {
  TARN_ASSIGN_OR_RETURN(int id, LastAdded(u.sort_order_id, last_added_order_, "sort order"));
  bool known = std::any_of(md_.sort_orders.begin(), md_.sort_orders.end(),
                           [&](const SortOrder& o) { return o.order_id == id; });
  if (!known) {
    return InvalidArgument("Cannot set default sort order to unknown order: " + std::to_string(id));
  }
  md_.default_sort_order_id = id;
  return Status::OK();
}

Status Applier::Do(const AddSnapshot& u) {
  const Snapshot& s = u.snapshot;
  std::string id = std::to_string(s.snapshot_id);
  if (md_.SnapshotById(s.snapshot_id) != nullptr) {
    return InvalidArgument("Snapshot already exists for id: " + id);
  }
  if (md_.format_version >= 2 && s.sequence_number <= md_.last_sequence_number) {
    return Conflict("Cannot add snapshot with sequence number " +
                    std::to_string(s.sequence_number) + " older than last sequence number " +
                    std::to_string(md_.last_sequence_number));
  }
  if (s.schema_id && md_.SchemaById(*s.schema_id) == nullptr) {
    return InvalidArgument("Cannot add snapshot " + id + ": unknown schema id " +
                           std::to_string(*s.schema_id));
  }
  if (!s.summary.contains("operation")) {
    return InvalidArgument("Cannot add snapshot " + id + ": its summary has no operation");
  }
  md_.snapshots.push_back(s);
  if (md_.format_version >= 2) md_.last_sequence_number = s.sequence_number;
  added_snapshots_.insert(s.snapshot_id);
  return Status::OK();
}

Status Applier::Do(const SetSnapshotRef& u) {
  const Snapshot* s = md_.SnapshotById(u.ref.snapshot_id);
  if (s == nullptr) {
    return InvalidArgument("Cannot set " + u.ref_name +
                           " to unknown snapshot: " + std::to_string(u.ref.snapshot_id));
  }
  if (u.ref_name == "main" && !u.ref.is_branch) {
    return InvalidArgument("Cannot set main to a tag: main must be a branch");
  }
  auto it = md_.refs.find(u.ref_name);
  if (it != md_.refs.end() && it->second == u.ref) return Status::OK();  // no change
  md_.refs[u.ref_name] = u.ref;
  if (u.ref_name == "main") {
    md_.current_snapshot_id = s->snapshot_id;
    int64_t ts = added_snapshots_.contains(s->snapshot_id) ? s->timestamp_ms : now_ms_;
    md_.snapshot_log.push_back({ts, s->snapshot_id});
  }
  return Status::OK();
}

Status Applier::Do(const RemoveSnapshots& u) {
  std::set<int64_t> removed(u.snapshot_ids.begin(), u.snapshot_ids.end());
  std::erase_if(md_.snapshots, [&](const Snapshot& s) { return removed.contains(s.snapshot_id); });
  std::erase_if(md_.refs,
                [&](const auto& ref) { return removed.contains(ref.second.snapshot_id); });
  if (md_.current_snapshot_id && removed.contains(*md_.current_snapshot_id)) {
    md_.current_snapshot_id.reset();
  }
  RebuildSnapshotLog();
  DropStatistics(removed);
  return Status::OK();
}

// Java's rule: an entry whose snapshot is gone drops the history before it too, or the log
// would claim an older snapshot was current during the gap.
void Applier::RebuildSnapshotLog() {
  std::vector<SnapshotLogEntry> log;
  for (const SnapshotLogEntry& e : md_.snapshot_log) {
    if (md_.SnapshotById(e.snapshot_id) == nullptr) {
      log.clear();
    } else {
      log.push_back(e);
    }
  }
  md_.snapshot_log = std::move(log);
}

// Statistics files describe one snapshot each; those of removed snapshots are dropped.
void Applier::DropStatistics(const std::set<int64_t>& removed) {
  for (const char* key : {"statistics", "partition-statistics"}) {
    auto it = md_.extra_json.find(key);
    if (it == md_.extra_json.end()) continue;
    json::Json list = json::Json::parse(it->second, nullptr, /*allow_exceptions=*/false);
    if (!list.is_array()) continue;
    json::Json kept = json::Json::array();
    for (const json::Json& file : list) {
      auto id = file.is_object() ? json::GetLong(file, "snapshot-id") : Result<int64_t>(0);
      if (!id.ok() || !removed.contains(*id)) kept.push_back(file);
    }
    it->second = json::Dump(kept);
  }
}

Status Applier::Do(const RemoveSnapshotRef& u) {
  md_.refs.erase(u.ref_name);
  if (u.ref_name == "main") md_.current_snapshot_id.reset();
  return Status::OK();
}

Status Applier::Do(const SetLocation& u) {
  if (u.location.empty()) return InvalidArgument("Cannot set location to an empty string");
  md_.location = u.location;
  return Status::OK();
}

Status Applier::Do(const SetProperties& u) {
  for (const auto& [k, v] : u.updates) md_.properties[k] = v;
  return Status::OK();
}

Status Applier::Do(const RemoveProperties& u) {
  for (const std::string& k : u.removals) md_.properties.erase(k);
  return Status::OK();
}

Result<TableMetadata> Applier::Finish() {
  if (md_.CurrentSchema() == nullptr) {
    return InvalidArgument(
        "Cannot apply updates: the table has no current schema (add-schema "
        "and set-current-schema are needed)");
  }
  if (md_.DefaultSpec() == nullptr && md_.default_spec_id == 0) {
    md_.specs.insert(md_.specs.begin(), PartitionSpec{});
  }
  bool has_order =
      std::any_of(md_.sort_orders.begin(), md_.sort_orders.end(),
                  [&](const SortOrder& o) { return o.order_id == md_.default_sort_order_id; });
  if (!has_order && md_.default_sort_order_id == 0) {
    md_.sort_orders.insert(md_.sort_orders.begin(), SortOrder{});
  }
  md_.last_updated_ms = now_ms_;
  if (!md_.snapshot_log.empty()) {
    md_.last_updated_ms = std::max(md_.last_updated_ms, md_.snapshot_log.back().timestamp_ms);
  }
  return std::move(md_);
}

}  // namespace

Status CheckRequirements(const TableMetadata* base,
                         const std::vector<TableRequirement>& requirements) {
  for (const TableRequirement& r : requirements) {
    if (base == nullptr) {
      // Like Java: the last-assigned-id asserts hold trivially for a table being created.
      if (std::holds_alternative<AssertCreate>(r) ||
          std::holds_alternative<AssertLastAssignedFieldId>(r) ||
          std::holds_alternative<AssertLastAssignedPartitionId>(r)) {
        continue;
      }
      return Failed("table does not exist");
    }
    TARN_RETURN_IF_ERROR(std::visit(RequirementChecker{*base}, r));
  }
  return Status::OK();
}

Result<TableMetadata> ApplyUpdates(const TableMetadata& base,
                                   const std::vector<TableUpdate>& updates, int64_t now_ms) {
  if (updates.empty()) return base;
  Applier applier(base, now_ms);
  for (const TableUpdate& u : updates) TARN_RETURN_IF_ERROR(applier.Apply(u));
  return applier.Finish();
}

}  // namespace tarn::iceberg
