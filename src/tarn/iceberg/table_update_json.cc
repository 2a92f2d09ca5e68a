// REST JSON for table requirements and updates. Each alternative of the two variants has a
// Read/Write pair; the dispatch by "type" / "action" name is generated from the variant.
#include <nlohmann/json.hpp>
#include <utility>

#include "tarn/iceberg/json_internal.h"
#include "tarn/iceberg/table_update.h"

namespace tarn::iceberg {
namespace {

using json::Json;

Result<const Json*> Need(const Json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) {
    return InvalidArgument(std::string("Cannot parse missing field: ") + key);
  }
  return &*it;
}

// ---- Requirements ----

Status Read(const Json&, AssertCreate&) { return Status::OK(); }
void Write(const AssertCreate&, Json&) {}

Status Read(const Json& j, AssertTableUuid& r) {
  TARN_ASSIGN_OR_RETURN(r.uuid, json::GetString(j, "uuid"));
  return Status::OK();
}
void Write(const AssertTableUuid& r, Json& j) { j["uuid"] = r.uuid; }

Status Read(const Json& j, AssertRefSnapshotId& r) {
  TARN_ASSIGN_OR_RETURN(r.ref, json::GetString(j, "ref"));
  TARN_ASSIGN_OR_RETURN(r.snapshot_id, json::GetLongOrNull(j, "snapshot-id"));
  return Status::OK();
}
void Write(const AssertRefSnapshotId& r, Json& j) {
  j["ref"] = r.ref;
  j["snapshot-id"] = r.snapshot_id ? Json(*r.snapshot_id) : Json(nullptr);
}

Status Read(const Json& j, AssertLastAssignedFieldId& r) {
  TARN_ASSIGN_OR_RETURN(r.last_assigned_field_id, json::GetInt(j, "last-assigned-field-id"));
  return Status::OK();
}
void Write(const AssertLastAssignedFieldId& r, Json& j) {
  j["last-assigned-field-id"] = r.last_assigned_field_id;
}

Status Read(const Json& j, AssertCurrentSchemaId& r) {
  TARN_ASSIGN_OR_RETURN(r.current_schema_id, json::GetInt(j, "current-schema-id"));
  return Status::OK();
}
void Write(const AssertCurrentSchemaId& r, Json& j) {
  j["current-schema-id"] = r.current_schema_id;
}

Status Read(const Json& j, AssertLastAssignedPartitionId& r) {
  TARN_ASSIGN_OR_RETURN(r.last_assigned_partition_id,
                        json::GetInt(j, "last-assigned-partition-id"));
  return Status::OK();
}
void Write(const AssertLastAssignedPartitionId& r, Json& j) {
  j["last-assigned-partition-id"] = r.last_assigned_partition_id;
}

Status Read(const Json& j, AssertDefaultSpecId& r) {
  TARN_ASSIGN_OR_RETURN(r.default_spec_id, json::GetInt(j, "default-spec-id"));
  return Status::OK();
}
void Write(const AssertDefaultSpecId& r, Json& j) { j["default-spec-id"] = r.default_spec_id; }

Status Read(const Json& j, AssertDefaultSortOrderId& r) {
  TARN_ASSIGN_OR_RETURN(r.default_sort_order_id, json::GetInt(j, "default-sort-order-id"));
  return Status::OK();
}
void Write(const AssertDefaultSortOrderId& r, Json& j) {
  j["default-sort-order-id"] = r.default_sort_order_id;
}

// ---- Updates ----

Status Read(const Json& j, AssignUuid& u) {
  TARN_ASSIGN_OR_RETURN(u.uuid, json::GetString(j, "uuid"));
  return Status::OK();
}
void Write(const AssignUuid& u, Json& j) { j["uuid"] = u.uuid; }

Status Read(const Json& j, UpgradeFormatVersion& u) {
  TARN_ASSIGN_OR_RETURN(u.format_version, json::GetInt(j, "format-version"));
  return Status::OK();
}
void Write(const UpgradeFormatVersion& u, Json& j) { j["format-version"] = u.format_version; }

Status Read(const Json& j, AddSchema& u) {
  TARN_ASSIGN_OR_RETURN(const Json* schema, Need(j, "schema"));
  TARN_ASSIGN_OR_RETURN(auto parsed, json::SchemaFromJson(*schema));
  u.schema_id = parsed.first;
  u.schema = std::move(parsed.second);
  TARN_ASSIGN_OR_RETURN(u.last_column_id, json::GetIntOrNull(j, "last-column-id"));
  return Status::OK();
}
void Write(const AddSchema& u, Json& j) {
  j["schema"] = json::SchemaToJson(u.schema, u.schema_id);
  if (u.last_column_id) j["last-column-id"] = *u.last_column_id;
}

Status Read(const Json& j, SetCurrentSchema& u) {
  TARN_ASSIGN_OR_RETURN(u.schema_id, json::GetInt(j, "schema-id"));
  return Status::OK();
}
void Write(const SetCurrentSchema& u, Json& j) { j["schema-id"] = u.schema_id; }

Status Read(const Json& j, AddSpec& u) {
  TARN_ASSIGN_OR_RETURN(const Json* spec, Need(j, "spec"));
  Json copy = *spec;
  // "spec-id" is optional in the REST spec: the table assigns it.
  if (copy.is_object() && !copy.contains("spec-id")) copy["spec-id"] = 0;
  TARN_ASSIGN_OR_RETURN(u.spec, json::SpecFromJson(copy));
  return Status::OK();
}
void Write(const AddSpec& u, Json& j) { j["spec"] = json::SpecToJson(u.spec); }

Status Read(const Json& j, SetDefaultSpec& u) {
  TARN_ASSIGN_OR_RETURN(u.spec_id, json::GetInt(j, "spec-id"));
  return Status::OK();
}
void Write(const SetDefaultSpec& u, Json& j) { j["spec-id"] = u.spec_id; }

Status Read(const Json& j, AddSortOrder& u) {
  TARN_ASSIGN_OR_RETURN(const Json* order, Need(j, "sort-order"));
  TARN_ASSIGN_OR_RETURN(u.sort_order, json::SortOrderFromJson(*order));
  return Status::OK();
}
void Write(const AddSortOrder& u, Json& j) {
  j["sort-order"] = json::SortOrderToJson(u.sort_order);
}

Status Read(const Json& j, SetDefaultSortOrder& u) {
  TARN_ASSIGN_OR_RETURN(u.sort_order_id, json::GetInt(j, "sort-order-id"));
  return Status::OK();
}
void Write(const SetDefaultSortOrder& u, Json& j) { j["sort-order-id"] = u.sort_order_id; }

Status Read(const Json& j, AddSnapshot& u) {
  TARN_ASSIGN_OR_RETURN(const Json* snapshot, Need(j, "snapshot"));
  TARN_ASSIGN_OR_RETURN(u.snapshot, json::SnapshotFromJson(*snapshot));
  return Status::OK();
}
void Write(const AddSnapshot& u, Json& j) { j["snapshot"] = json::SnapshotToJson(u.snapshot); }

// The ref's keys sit beside "ref-name" in the update object.
Status Read(const Json& j, SetSnapshotRef& u) {
  TARN_ASSIGN_OR_RETURN(u.ref_name, json::GetString(j, "ref-name"));
  TARN_ASSIGN_OR_RETURN(u.ref, json::RefFromJson(j));
  return Status::OK();
}
void Write(const SetSnapshotRef& u, Json& j) {
  j["ref-name"] = u.ref_name;
  Json ref = json::RefToJson(u.ref);  // kept alive while iterating
  for (auto& [key, value] : ref.items()) j[key] = value;
}

Status Read(const Json& j, RemoveSnapshots& u) {
  TARN_RETURN_IF_ERROR(Need(j, "snapshot-ids").status());
  TARN_ASSIGN_OR_RETURN(u.snapshot_ids, json::GetLongList(j, "snapshot-ids"));
  return Status::OK();
}
void Write(const RemoveSnapshots& u, Json& j) { j["snapshot-ids"] = u.snapshot_ids; }

Status Read(const Json& j, RemoveSnapshotRef& u) {
  TARN_ASSIGN_OR_RETURN(u.ref_name, json::GetString(j, "ref-name"));
  return Status::OK();
}
void Write(const RemoveSnapshotRef& u, Json& j) { j["ref-name"] = u.ref_name; }

Status Read(const Json& j, SetLocation& u) {
  TARN_ASSIGN_OR_RETURN(u.location, json::GetString(j, "location"));
  return Status::OK();
}
void Write(const SetLocation& u, Json& j) { j["location"] = u.location; }

Status Read(const Json& j, SetProperties& u) {
  TARN_RETURN_IF_ERROR(Need(j, "updates").status());
  TARN_ASSIGN_OR_RETURN(u.updates, json::GetStringMap(j, "updates"));
  return Status::OK();
}
void Write(const SetProperties& u, Json& j) { j["updates"] = u.updates; }

Status Read(const Json& j, RemoveProperties& u) {
  TARN_RETURN_IF_ERROR(Need(j, "removals").status());
  TARN_ASSIGN_OR_RETURN(u.removals, json::GetStringList(j, "removals"));
  return Status::OK();
}
void Write(const RemoveProperties& u, Json& j) { j["removals"] = u.removals; }

// ---- Dispatch ----

template <typename T>
constexpr std::string_view NameOf() {
  if constexpr (requires { T::kAction; }) {
    return T::kAction;
  } else {
    return T::kType;
  }
}

template <typename V, typename T>
Result<V> ReadAs(const Json& j) {
  T value;
  TARN_RETURN_IF_ERROR(Read(j, value));
  return V(std::move(value));
}

// Reads the alternative of V named `name`.
template <typename V, size_t... I>
Result<V> ReadNamed(std::string_view name, const Json& j, const char* what,
                    std::index_sequence<I...>) {
  using Reader = Result<V> (*)(const Json&);
  constexpr std::pair<std::string_view, Reader> kReaders[] = {
      {NameOf<std::variant_alternative_t<I, V>>(),
       &ReadAs<V, std::variant_alternative_t<I, V>>}...};
  for (const auto& [reader_name, reader] : kReaders) {
    if (reader_name != name) continue;
    auto r = reader(j);
    if (!r.ok()) return r.status().WithContext(std::string(name));
    return r;
  }
  return InvalidArgument(std::string("Unsupported ") + what + ": " + std::string(name));
}

// `key` is "type" for requirements, "action" for updates.
template <typename V>
Result<V> FromObject(const Json& j, const char* key, const char* what) {
  if (!j.is_object())
    return InvalidArgument(std::string("Cannot parse ") + what + ": " + json::Show(j));
  TARN_ASSIGN_OR_RETURN(std::string name, json::GetString(j, key));
  return ReadNamed<V>(name, j, what, std::make_index_sequence<std::variant_size_v<V>>{});
}

template <typename V>
Json ToObject(const V& v, const char* key) {
  return std::visit(
      [key](const auto& x) {
        Json j = Json::object();
        j[key] = NameOf<std::decay_t<decltype(x)>>();
        Write(x, j);
        return j;
      },
      v);
}

template <typename V>
Result<V> FromText(const std::string& text, const char* key, const char* what) {
  TARN_ASSIGN_OR_RETURN(Json j, json::ParseObject(text, what));
  return FromObject<V>(j, key, what);
}

template <typename V>
Result<std::vector<V>> ArrayFromText(const std::string& text, const char* key, const char* what) {
  Json j = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_array()) {
    return InvalidArgument(std::string("Cannot parse ") + what + "s: not a JSON array");
  }
  std::vector<V> out;
  for (size_t i = 0; i < j.size(); ++i) {
    auto v = FromObject<V>(j[i], key, what);
    if (!v.ok()) return v.status().WithContext(std::string(what) + " " + std::to_string(i));
    out.push_back(std::move(*v));
  }
  return out;
}

template <typename V>
std::string ArrayToText(const std::vector<V>& values, const char* key) {
  Json list = Json::array();
  for (const V& v : values) list.push_back(ToObject(v, key));
  return json::Dump(list);
}

constexpr const char* kRequirement = "table requirement type";
constexpr const char* kUpdate = "table update action";

}  // namespace

std::string_view RequirementType(const TableRequirement& requirement) {
  return std::visit([](const auto& r) { return NameOf<std::decay_t<decltype(r)>>(); }, requirement);
}

std::string_view UpdateAction(const TableUpdate& update) {
  return std::visit([](const auto& u) { return NameOf<std::decay_t<decltype(u)>>(); }, update);
}

Result<TableRequirement> TableRequirementFromJson(const std::string& text) {
  return FromText<TableRequirement>(text, "type", kRequirement);
}

Result<std::vector<TableRequirement>> TableRequirementsFromJson(const std::string& text) {
  return ArrayFromText<TableRequirement>(text, "type", kRequirement);
}

std::string TableRequirementToJson(const TableRequirement& requirement) {
  return json::Dump(ToObject(requirement, "type"));
}

std::string TableRequirementsToJson(const std::vector<TableRequirement>& requirements) {
  return ArrayToText(requirements, "type");
}

Result<TableUpdate> TableUpdateFromJson(const std::string& text) {
  return FromText<TableUpdate>(text, "action", kUpdate);
}

Result<std::vector<TableUpdate>> TableUpdatesFromJson(const std::string& text) {
  return ArrayFromText<TableUpdate>(text, "action", kUpdate);
}

std::string TableUpdateToJson(const TableUpdate& update) {
  return json::Dump(ToObject(update, "action"));
}

std::string TableUpdatesToJson(const std::vector<TableUpdate>& updates) {
  return ArrayToText(updates, "action");
}

}  // namespace tarn::iceberg
