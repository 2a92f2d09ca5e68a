// JSON forms of the table-metadata parts: partition specs, sort orders, snapshots, refs and
// schemas, plus the public text-level wrappers declared in table_metadata.h.
#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>

#include "tarn/iceberg/json_internal.h"
#include "tarn/iceberg/table_metadata.h"

namespace tarn::iceberg {
namespace json {
namespace {

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

Result<Transform> TransformField(const Json& j) {
  TARN_ASSIGN_OR_RETURN(std::string text, GetString(j, "transform"));
  return Transform::Parse(text);
}

Result<PartitionField> PartitionFieldFromJson(const Json& j) {
  if (!j.is_object()) return InvalidArgument("Cannot parse partition field: " + Show(j));
  PartitionField f;
  TARN_ASSIGN_OR_RETURN(f.source_id, GetInt(j, "source-id"));
  TARN_ASSIGN_OR_RETURN(std::optional<int> field_id, GetIntOrNull(j, "field-id"));
  f.field_id = field_id.value_or(0);
  TARN_ASSIGN_OR_RETURN(f.name, GetString(j, "name"));
  TARN_ASSIGN_OR_RETURN(f.transform, TransformField(j));
  return f;
}

Result<SortField> SortFieldFromJson(const Json& j) {
  if (!j.is_object()) return InvalidArgument("Cannot parse sort field: " + Show(j));
  SortField f;
  TARN_ASSIGN_OR_RETURN(f.transform, TransformField(j));
  TARN_ASSIGN_OR_RETURN(f.source_id, GetInt(j, "source-id"));
  TARN_ASSIGN_OR_RETURN(std::string direction, GetString(j, "direction"));
  TARN_ASSIGN_OR_RETURN(std::string null_order, GetString(j, "null-order"));
  direction = Lower(direction);
  null_order = Lower(null_order);
  if (direction != "asc" && direction != "desc") {
    return InvalidArgument("Invalid sort direction: " + direction);
  }
  if (null_order != "nulls-first" && null_order != "nulls-last") {
    return InvalidArgument("Invalid null order: " + null_order);
  }
  f.ascending = direction == "asc";
  f.nulls_first = null_order == "nulls-first";
  return f;
}

Result<std::map<std::string, std::string>> SummaryFromJson(const Json& j) {
  TARN_ASSIGN_OR_RETURN(auto summary, GetStringMap(j, "summary"));
  if (Has(j, "summary") && !summary.contains("operation")) {
    return InvalidArgument("Cannot parse missing string: operation (in summary)");
  }
  return summary;
}

}  // namespace

Json SpecToJson(const PartitionSpec& spec) {
  Json fields = Json::array();
  for (const PartitionField& f : spec.fields) {
    fields.push_back(Json{{"name", f.name},
                          {"transform", f.transform.ToString()},
                          {"source-id", f.source_id},
                          {"field-id", f.field_id}});
  }
  return Json{{"spec-id", spec.spec_id}, {"fields", std::move(fields)}};
}

Result<PartitionSpec> SpecFromJson(const Json& j) {
  if (!j.is_object()) return InvalidArgument("Cannot parse partition spec: " + Show(j));
  PartitionSpec spec;
  TARN_ASSIGN_OR_RETURN(spec.spec_id, GetInt(j, "spec-id"));
  TARN_ASSIGN_OR_RETURN(const Json* fields, GetArrayOrNull(j, "fields"));
  if (fields == nullptr) return InvalidArgument("Cannot parse missing field: fields");
  for (const Json& f : *fields) {
    auto field = PartitionFieldFromJson(f);
    if (!field.ok()) {
      return field.status().WithContext("partition spec " + std::to_string(spec.spec_id));
    }
    spec.fields.push_back(std::move(*field));
  }
  return spec;
}

Result<PartitionSpec> LegacySpecFromJson(const Json& fields) {
  if (!fields.is_array()) {
    return InvalidArgument("Cannot parse partition-spec from non-array: " + Show(fields));
  }
  PartitionSpec spec;
  for (const Json& f : fields) {
    auto field = PartitionFieldFromJson(f);
    if (!field.ok()) return field.status().WithContext("partition-spec");
    if (field->field_id == 0) field->field_id = 1000 + static_cast<int>(spec.fields.size());
    spec.fields.push_back(std::move(*field));
  }
  return spec;
}

Json SortOrderToJson(const SortOrder& order) {
  Json fields = Json::array();
  for (const SortField& f : order.fields) {
    fields.push_back(Json{{"transform", f.transform.ToString()},
                          {"source-id", f.source_id},
                          {"direction", f.ascending ? "asc" : "desc"},
                          {"null-order", f.nulls_first ? "nulls-first" : "nulls-last"}});
  }
  return Json{{"order-id", order.order_id}, {"fields", std::move(fields)}};
}

Result<SortOrder> SortOrderFromJson(const Json& j) {
  if (!j.is_object()) return InvalidArgument("Cannot parse sort order: " + Show(j));
  SortOrder order;
  TARN_ASSIGN_OR_RETURN(order.order_id, GetInt(j, "order-id"));
  TARN_ASSIGN_OR_RETURN(const Json* fields, GetArrayOrNull(j, "fields"));
  if (fields == nullptr) return InvalidArgument("Cannot parse missing field: fields");
  for (const Json& f : *fields) {
    auto field = SortFieldFromJson(f);
    if (!field.ok()) {
      return field.status().WithContext("sort order " + std::to_string(order.order_id));
    }
    order.fields.push_back(std::move(*field));
  }
  if (order.order_id == 0 && !order.fields.empty()) {
    return InvalidArgument("Sort order ID 0 is reserved for unsorted order");
  }
  return order;
}

Json SnapshotToJson(const Snapshot& s) {
  Json j = Json::object();
  j["sequence-number"] = s.sequence_number;
  j["snapshot-id"] = s.snapshot_id;
  if (s.parent_snapshot_id) j["parent-snapshot-id"] = *s.parent_snapshot_id;
  j["timestamp-ms"] = s.timestamp_ms;
  j["summary"] = s.summary;
  j["manifest-list"] = s.manifest_list;
  if (s.schema_id) j["schema-id"] = *s.schema_id;
  return j;
}

Result<Snapshot> SnapshotFromJson(const Json& j) {
  if (!j.is_object()) return InvalidArgument("Cannot parse snapshot: " + Show(j));
  Snapshot s;
  TARN_ASSIGN_OR_RETURN(s.snapshot_id, GetLong(j, "snapshot-id"));
  Status st = [&]() -> Status {
    TARN_ASSIGN_OR_RETURN(s.parent_snapshot_id, GetLongOrNull(j, "parent-snapshot-id"));
    TARN_ASSIGN_OR_RETURN(auto seq, GetLongOrNull(j, "sequence-number"));
    s.sequence_number = seq.value_or(0);
    TARN_ASSIGN_OR_RETURN(s.timestamp_ms, GetLong(j, "timestamp-ms"));
    if (!j.contains("manifest-list") && j.contains("manifests")) {
      return InvalidArgument(
          "v1 snapshots that list \"manifests\" instead of a \"manifest-list\" "
          "are not supported");
    }
    TARN_ASSIGN_OR_RETURN(s.manifest_list, GetString(j, "manifest-list"));
    TARN_ASSIGN_OR_RETURN(s.summary, SummaryFromJson(j));
    TARN_ASSIGN_OR_RETURN(s.schema_id, GetIntOrNull(j, "schema-id"));
    return Status::OK();
  }();
  if (!st.ok()) return st.WithContext("snapshot " + std::to_string(s.snapshot_id));
  return s;
}

Json RefToJson(const SnapshotRef& ref) {
  Json j{{"snapshot-id", ref.snapshot_id}, {"type", ref.is_branch ? "branch" : "tag"}};
  if (ref.min_snapshots_to_keep) j["min-snapshots-to-keep"] = *ref.min_snapshots_to_keep;
  if (ref.max_snapshot_age_ms) j["max-snapshot-age-ms"] = *ref.max_snapshot_age_ms;
  if (ref.max_ref_age_ms) j["max-ref-age-ms"] = *ref.max_ref_age_ms;
  return j;
}

Result<SnapshotRef> RefFromJson(const Json& j) {
  if (!j.is_object()) return InvalidArgument("Cannot parse snapshot ref: " + Show(j));
  SnapshotRef ref;
  TARN_ASSIGN_OR_RETURN(ref.snapshot_id, GetLong(j, "snapshot-id"));
  TARN_ASSIGN_OR_RETURN(std::string type, GetString(j, "type"));
  type = Lower(type);
  if (type != "branch" && type != "tag")
    return InvalidArgument("Invalid snapshot ref type: " + type);
  ref.is_branch = type == "branch";
  TARN_ASSIGN_OR_RETURN(ref.min_snapshots_to_keep, GetIntOrNull(j, "min-snapshots-to-keep"));
  TARN_ASSIGN_OR_RETURN(ref.max_snapshot_age_ms, GetLongOrNull(j, "max-snapshot-age-ms"));
  TARN_ASSIGN_OR_RETURN(ref.max_ref_age_ms, GetLongOrNull(j, "max-ref-age-ms"));
  if (!ref.is_branch && ref.min_snapshots_to_keep) {
    return InvalidArgument("Tags do not support setting minSnapshotsToKeep");
  }
  if (!ref.is_branch && ref.max_snapshot_age_ms) {
    return InvalidArgument("Tags do not support setting maxSnapshotAgeMs");
  }
  return ref;
}

Json SchemaToJson(const schema::Schema& schema, int schema_id) {
  return Json::parse(schema::SchemaToIcebergJson(schema, schema_id));
}

Result<std::pair<int, schema::Schema>> SchemaFromJson(const Json& j) {
  // Java's wording, for a schema object that is not a struct type.
  if (!j.is_object() || !j.contains("type") || j.at("type") != "struct") {
    return InvalidArgument("Cannot parse type from json: " + Show(j));
  }
  TARN_ASSIGN_OR_RETURN(std::optional<int> id, GetIntOrNull(j, "schema-id"));
  auto schema = schema::SchemaFromIcebergJson(Dump(j));
  if (!schema.ok()) return schema.status().WithContext("schema " + std::to_string(id.value_or(0)));
  return std::make_pair(id.value_or(0), std::move(*schema));
}

}  // namespace json

std::string PartitionSpecToJson(const PartitionSpec& spec) {
  return json::Dump(json::SpecToJson(spec));
}

Result<PartitionSpec> PartitionSpecFromJson(const std::string& text) {
  TARN_ASSIGN_OR_RETURN(json::Json j, json::ParseObject(text, "partition spec"));
  return json::SpecFromJson(j);
}

std::string SortOrderToJson(const SortOrder& order) {
  return json::Dump(json::SortOrderToJson(order));
}

Result<SortOrder> SortOrderFromJson(const std::string& text) {
  TARN_ASSIGN_OR_RETURN(json::Json j, json::ParseObject(text, "sort order"));
  return json::SortOrderFromJson(j);
}

std::string SnapshotToJson(const Snapshot& snapshot) {
  return json::Dump(json::SnapshotToJson(snapshot));
}

Result<Snapshot> SnapshotFromJson(const std::string& text) {
  TARN_ASSIGN_OR_RETURN(json::Json j, json::ParseObject(text, "snapshot"));
  return json::SnapshotFromJson(j);
}

std::string SnapshotRefToJson(const SnapshotRef& ref) { return json::Dump(json::RefToJson(ref)); }

Result<SnapshotRef> SnapshotRefFromJson(const std::string& text) {
  TARN_ASSIGN_OR_RETURN(json::Json j, json::ParseObject(text, "snapshot ref"));
  return json::RefFromJson(j);
}

}  // namespace tarn::iceberg
