// TableMetadata lookups and the partition tuple type. JSON lives in table_metadata_json.cc
// (whole documents) and table_metadata_parts.cc (specs, orders, snapshots, refs).
#include "tarn/iceberg/table_metadata.h"

#include <algorithm>

namespace tarn::iceberg {

Result<PartitionField> PartitionFieldFromText(const schema::Schema& schema, std::string_view text_in) {
  std::string text(text_in), transform = "identity", column = text;
  size_t open = text.find('('), close = text.rfind(')');
  if (open != std::string::npos && close == text.size() - 1) {
    transform = text.substr(0, open);
    column = text.substr(open + 1, close - open - 1);
    size_t comma = column.find(',');
    if (comma != std::string::npos) {
      transform += "[" + column.substr(0, comma) + "]";
      column = column.substr(comma + 1);
    }
  }
  for (const char* plural : {"years", "months", "days", "hours"}) {
    if (transform == plural) transform.pop_back();
  }
  column.erase(0, column.find_first_not_of(' '));
  column.erase(column.find_last_not_of(' ') + 1);
  const schema::NestedField* field = schema.FindByName(column);
  if (field == nullptr) return InvalidArgument("partition field " + text + ": no column " + column);
  auto t = Transform::Parse(transform);
  if (!t.ok()) return InvalidArgument("partition field " + text + ": " + t.status().message());
  return PartitionField{field->id, 0, "", *t};
}

const schema::Schema* TableMetadata::SchemaById(int schema_id) const {
  for (const auto& [id, schema] : schemas) {
    if (id == schema_id) return &schema;
  }
  return nullptr;
}

const PartitionSpec* TableMetadata::SpecById(int spec_id) const {
  for (const PartitionSpec& spec : specs) {
    if (spec.spec_id == spec_id) return &spec;
  }
  return nullptr;
}

const Snapshot* TableMetadata::SnapshotById(int64_t snapshot_id) const {
  for (const Snapshot& s : snapshots) {
    if (s.snapshot_id == snapshot_id) return &s;
  }
  return nullptr;
}

const Snapshot* TableMetadata::CurrentSnapshot() const {
  return current_snapshot_id ? SnapshotById(*current_snapshot_id) : nullptr;
}

const Snapshot* TableMetadata::SnapshotAsOf(int64_t timestamp_ms) const {
  // The log is in commit order; the last entry at or before the time wins (as Java's
  // SnapshotUtil.snapshotIdAsOfTime does).
  const SnapshotLogEntry* found = nullptr;
  for (const SnapshotLogEntry& e : snapshot_log) {
    if (e.timestamp_ms <= timestamp_ms) found = &e;
  }
  return found ? SnapshotById(found->snapshot_id) : nullptr;
}

Result<std::vector<std::pair<PartitionField, PrimitiveType>>> PartitionType(
    const PartitionSpec& spec, const schema::Schema& schema) {
  std::vector<std::pair<PartitionField, PrimitiveType>> out;
  for (const PartitionField& f : spec.fields) {
    std::string where = "partition field " + f.name + " (" + f.transform.ToString() + ")";
    const schema::NestedField* source = schema.FindById(f.source_id);
    if (source == nullptr) {
      return InvalidArgument(where + ": Cannot find source column: " + std::to_string(f.source_id));
    }
    auto source_type = PrimitiveType::From(*source->type);
    if (!source_type.ok()) return source_type.status().WithContext(where);
    auto result_type = ResultType(f.transform, *source_type);
    if (!result_type.ok()) return result_type.status().WithContext(where);
    out.emplace_back(f, *result_type);
  }
  return out;
}

std::string DefaultPartitionFieldName(const schema::Schema& schema, const PartitionField& f) {
  std::string column = schema.PathOf(f.source_id);
  switch (f.transform.kind) {
    case Transform::kIdentity: return column;
    case Transform::kBucket: return column + "_bucket_" + std::to_string(f.transform.param);
    case Transform::kTruncate: return column + "_trunc_" + std::to_string(f.transform.param);
    case Transform::kYear: return column + "_year";
    case Transform::kMonth: return column + "_month";
    case Transform::kDay: return column + "_day";
    case Transform::kHour: return column + "_hour";
    case Transform::kVoid: return column + "_null";
  }
  return column;
}

}  // namespace tarn::iceberg
