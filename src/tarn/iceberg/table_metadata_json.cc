// ParseTableMetadata and WriteTableMetadata. The parser checks keys in the order the Java
// reference does, so a file with several problems fails with the same message; v1 files in the
// newer layout follow iceberg-rust's fallbacks (see ParseSchemas / ParseSpecs).
#include <algorithm>
#include <iterator>
#include <nlohmann/json.hpp>
#include <string_view>

#include "tarn/iceberg/json_internal.h"
#include "tarn/iceberg/table_metadata.h"

namespace tarn::iceberg {
namespace {

using json::Json;

// Keys the model interprets; anything else is kept in extra_json.
// clang-format off
constexpr std::string_view kKnownKeys[] = {
    "format-version", "table-uuid", "location", "last-sequence-number", "last-updated-ms",
    "last-column-id", "schema", "schemas", "current-schema-id", "partition-spec",
    "partition-specs", "default-spec-id", "last-partition-id", "sort-orders",
    "default-sort-order-id", "properties", "current-snapshot-id", "snapshots", "refs",
    "snapshot-log", "metadata-log"};
// clang-format on

bool IsKnownKey(std::string_view key) {
  return std::find(std::begin(kKnownKeys), std::end(kKnownKeys), key) != std::end(kKnownKeys);
}

const Json& EmptyArray() {
  static const Json kEmpty = Json::array();
  return kEmpty;
}

const Json& EmptyObject() {
  static const Json kEmpty = Json::object();
  return kEmpty;
}

Status MustExistInV2(const char* key) {
  return InvalidArgument(std::string(key) + " must exist in format v2");
}

class MetadataParser {
 public:
  explicit MetadataParser(const Json& j) : j_(j) {}

  Result<TableMetadata> Parse() {
    TARN_RETURN_IF_ERROR(ParseHeader());
    TARN_RETURN_IF_ERROR(ParseSchemas());
    TARN_RETURN_IF_ERROR(ParseSpecs());
    TARN_RETURN_IF_ERROR(ParseSortOrders());
    TARN_RETURN_IF_ERROR(ParseSnapshots());
    TARN_RETURN_IF_ERROR(ParseLogs());
    for (const auto& [key, value] : j_.items()) {
      if (!IsKnownKey(key)) md_.extra_json[key] = json::Dump(value);
    }
    TARN_RETURN_IF_ERROR(ValidateSnapshots());
    TARN_RETURN_IF_ERROR(ValidateSourceIds());
    return std::move(md_);
  }

 private:
  bool v2() const { return md_.format_version >= 2; }

  Status ParseHeader() {
    TARN_ASSIGN_OR_RETURN(md_.format_version, json::GetInt(j_, "format-version"));
    if (md_.format_version < 1 || md_.format_version > 2) {
      return InvalidArgument("Cannot read unsupported version " +
                             std::to_string(md_.format_version) +
                             " (tarn reads Iceberg table format versions 1 and 2)");
    }
    if (v2() || j_.contains("table-uuid")) {
      TARN_ASSIGN_OR_RETURN(md_.table_uuid, json::GetString(j_, "table-uuid"));
    }
    TARN_ASSIGN_OR_RETURN(md_.location, json::GetString(j_, "location"));
    // v1 has no sequence numbers; a v1 "last-sequence-number" is ignored, as Java does.
    if (v2()) {
      TARN_ASSIGN_OR_RETURN(md_.last_sequence_number, json::GetLong(j_, "last-sequence-number"));
    }
    TARN_ASSIGN_OR_RETURN(md_.last_updated_ms, json::GetLong(j_, "last-updated-ms"));
    TARN_ASSIGN_OR_RETURN(md_.last_column_id, json::GetInt(j_, "last-column-id"));
    return Status::OK();
  }

  // v2: "schemas" + "current-schema-id". v1 (iceberg-rust's rules): "schemas" is used only
  // together with "current-schema-id"; otherwise the legacy "schema" is the only schema.
  Status ParseSchemas() {
    TARN_ASSIGN_OR_RETURN(const Json* list, json::GetArrayOrNull(j_, "schemas"));
    if (list != nullptr && (v2() || j_.contains("current-schema-id"))) {
      TARN_ASSIGN_OR_RETURN(md_.current_schema_id, json::GetInt(j_, "current-schema-id"));
      for (const Json& s : *list) {
        TARN_ASSIGN_OR_RETURN(auto schema, json::SchemaFromJson(s));
        if (md_.SchemaById(schema.first) != nullptr) {
          return InvalidArgument("Duplicate schema id " + std::to_string(schema.first));
        }
        md_.schemas.push_back(std::move(schema));
      }
      if (md_.CurrentSchema() == nullptr) {
        return InvalidArgument("Cannot find schema with current-schema-id=" +
                               std::to_string(md_.current_schema_id) + " from schemas");
      }
      return Status::OK();
    }
    if (v2()) return MustExistInV2("schemas");
    if (!json::Has(j_, "schema")) {
      return InvalidArgument("No valid schema configuration found in table metadata");
    }
    TARN_ASSIGN_OR_RETURN(auto schema, json::SchemaFromJson(j_.at("schema")));
    md_.current_schema_id = schema.first;
    md_.schemas.push_back(std::move(schema));
    return Status::OK();
  }

  // v1 falls back to the legacy "partition-spec" (spec 0), then to an unpartitioned spec 0; a
  // v1 "partition-specs" without "default-spec-id" defaults to the largest spec id.
  Status ParseSpecs() {
    TARN_ASSIGN_OR_RETURN(const Json* list, json::GetArrayOrNull(j_, "partition-specs"));
    if (list != nullptr) {
      TARN_RETURN_IF_ERROR(ParseSpecList(*list));
    } else if (v2()) {
      return MustExistInV2("partition-specs");
    } else if (json::Has(j_, "partition-spec")) {
      TARN_ASSIGN_OR_RETURN(PartitionSpec spec, json::LegacySpecFromJson(j_.at("partition-spec")));
      md_.specs.push_back(std::move(spec));
    } else {
      md_.specs.push_back(PartitionSpec{});
    }
    if (md_.DefaultSpec() == nullptr) {
      // An empty "partition-specs" with default 0 means unpartitioned (iceberg-rust does so).
      if (md_.default_spec_id != 0) {
        return InvalidArgument("Cannot find partition spec with default-spec-id=" +
                               std::to_string(md_.default_spec_id) + " from partition-specs");
      }
      md_.specs.insert(md_.specs.begin(), PartitionSpec{});
    }
    return ParseLastPartitionId();
  }

  Status ParseSpecList(const Json& list) {
    int max_id = 0;
    for (const Json& s : list) {
      TARN_ASSIGN_OR_RETURN(PartitionSpec spec, json::SpecFromJson(s));
      for (size_t i = 0; i < spec.fields.size(); ++i) {
        if (spec.fields[i].field_id != 0) continue;
        if (v2()) {
          return InvalidArgument("partition spec " + std::to_string(spec.spec_id) +
                                 ": Cannot parse missing int: field-id");
        }
        spec.fields[i].field_id = 1000 + static_cast<int>(i);
      }
      if (md_.SpecById(spec.spec_id) != nullptr) {
        return InvalidArgument("Duplicate partition spec id " + std::to_string(spec.spec_id));
      }
      max_id = std::max(max_id, spec.spec_id);
      md_.specs.push_back(std::move(spec));
    }
    if (v2() || j_.contains("default-spec-id")) {
      TARN_ASSIGN_OR_RETURN(md_.default_spec_id, json::GetInt(j_, "default-spec-id"));
    } else {
      md_.default_spec_id = max_id;
    }
    return Status::OK();
  }

  Status ParseLastPartitionId() {
    TARN_ASSIGN_OR_RETURN(std::optional<int> last, json::GetIntOrNull(j_, "last-partition-id"));
    if (!last && v2()) return MustExistInV2("last-partition-id");
    if (last) {
      md_.last_partition_id = *last;
      return Status::OK();
    }
    md_.last_partition_id = 999;
    for (const PartitionSpec& spec : md_.specs) {
      for (const PartitionField& f : spec.fields) {
        md_.last_partition_id = std::max(md_.last_partition_id, f.field_id);
      }
    }
    return Status::OK();
  }

  Status ParseSortOrders() {
    TARN_ASSIGN_OR_RETURN(const Json* list, json::GetArrayOrNull(j_, "sort-orders"));
    if (list == nullptr) {
      if (v2()) return MustExistInV2("sort-orders");
      md_.sort_orders.push_back(SortOrder{});
      return Status::OK();
    }
    if (v2() || j_.contains("default-sort-order-id")) {
      TARN_ASSIGN_OR_RETURN(md_.default_sort_order_id, json::GetInt(j_, "default-sort-order-id"));
    }
    for (const Json& o : *list) {
      TARN_ASSIGN_OR_RETURN(SortOrder order, json::SortOrderFromJson(o));
      md_.sort_orders.push_back(std::move(order));
    }
    auto has = [&](int id) {
      return std::any_of(md_.sort_orders.begin(), md_.sort_orders.end(),
                         [&](const SortOrder& o) { return o.order_id == id; });
    };
    if (!has(md_.default_sort_order_id)) {
      if (md_.default_sort_order_id != 0) {
        return InvalidArgument("Cannot find sort order with default-sort-order-id=" +
                               std::to_string(md_.default_sort_order_id) + " from sort-orders");
      }
      md_.sort_orders.insert(md_.sort_orders.begin(), SortOrder{});
    }
    return Status::OK();
  }

  Status ParseSnapshots() {
    TARN_ASSIGN_OR_RETURN(md_.properties, json::GetStringMap(j_, "properties"));
    TARN_ASSIGN_OR_RETURN(md_.current_snapshot_id, json::GetLongOrNull(j_, "current-snapshot-id"));
    if (md_.current_snapshot_id == -1) md_.current_snapshot_id.reset();
    TARN_ASSIGN_OR_RETURN(const Json* list, json::GetArrayOrNull(j_, "snapshots"));
    for (const Json& s : list ? *list : EmptyArray()) {
      TARN_ASSIGN_OR_RETURN(Snapshot snapshot, json::SnapshotFromJson(s));
      if (md_.SnapshotById(snapshot.snapshot_id) != nullptr) {
        return InvalidArgument("Duplicate snapshot id " + std::to_string(snapshot.snapshot_id));
      }
      md_.snapshots.push_back(std::move(snapshot));
    }
    TARN_ASSIGN_OR_RETURN(const Json* refs, json::GetObjectOrNull(j_, "refs"));
    for (const auto& [name, value] : (refs ? *refs : EmptyObject()).items()) {
      auto ref = json::RefFromJson(value);
      if (!ref.ok()) return ref.status().WithContext("ref " + name);
      md_.refs[name] = *ref;
    }
    if (md_.current_snapshot_id && !md_.refs.contains("main")) {
      md_.refs["main"] = SnapshotRef{.snapshot_id = *md_.current_snapshot_id};
    }
    return Status::OK();
  }

  Status ParseLogs() {
    TARN_ASSIGN_OR_RETURN(const Json* snapshot_log, json::GetArrayOrNull(j_, "snapshot-log"));
    for (const Json& e : snapshot_log ? *snapshot_log : EmptyArray()) {
      if (!e.is_object())
        return InvalidArgument("Cannot parse snapshot-log entry: " + json::Show(e));
      SnapshotLogEntry entry;
      TARN_ASSIGN_OR_RETURN(entry.timestamp_ms, json::GetLong(e, "timestamp-ms"));
      TARN_ASSIGN_OR_RETURN(entry.snapshot_id, json::GetLong(e, "snapshot-id"));
      md_.snapshot_log.push_back(entry);
    }
    TARN_ASSIGN_OR_RETURN(const Json* metadata_log, json::GetArrayOrNull(j_, "metadata-log"));
    for (const Json& e : metadata_log ? *metadata_log : EmptyArray()) {
      if (!e.is_object())
        return InvalidArgument("Cannot parse metadata-log entry: " + json::Show(e));
      MetadataLogEntry entry;
      TARN_ASSIGN_OR_RETURN(entry.timestamp_ms, json::GetLong(e, "timestamp-ms"));
      TARN_ASSIGN_OR_RETURN(entry.metadata_file, json::GetString(e, "metadata-file"));
      md_.metadata_log.push_back(std::move(entry));
    }
    return Status::OK();
  }

  // The same checks as iceberg-rust's normalization.
  Status ValidateSnapshots() const {
    if (md_.current_snapshot_id && md_.CurrentSnapshot() == nullptr) {
      return InvalidArgument("Snapshot for current snapshot id " +
                             std::to_string(*md_.current_snapshot_id) +
                             " does not exist in the existing snapshots list");
    }
    for (const auto& [name, ref] : md_.refs) {
      if (md_.SnapshotById(ref.snapshot_id) == nullptr) {
        return InvalidArgument("Snapshot for reference " + name +
                               " does not exist in the existing snapshots list");
      }
    }
    auto main = md_.refs.find("main");
    if (main != md_.refs.end() && !md_.current_snapshot_id) {
      return InvalidArgument("Current snapshot is not set, but main branch exists");
    }
    if (main != md_.refs.end() && main->second.snapshot_id != *md_.current_snapshot_id) {
      return InvalidArgument("Current snapshot id does not match main branch (" +
                             std::to_string(*md_.current_snapshot_id) +
                             " != " + std::to_string(main->second.snapshot_id) + ")");
    }
    for (const Snapshot& s : md_.snapshots) {
      if (v2() && s.sequence_number > md_.last_sequence_number) {
        return InvalidArgument("Invalid snapshot with id " + std::to_string(s.snapshot_id) +
                               " and sequence number " + std::to_string(s.sequence_number) +
                               " greater than last sequence number " +
                               std::to_string(md_.last_sequence_number));
      }
    }
    return Status::OK();
  }

  // Like Java, which binds the default spec and sort order to the current schema.
  Status ValidateSourceIds() const {
    const schema::Schema& schema = *md_.CurrentSchema();
    for (const PartitionField& f : md_.DefaultSpec()->fields) {
      if (schema.FindById(f.source_id) == nullptr) {
        return InvalidArgument("partition spec " + std::to_string(md_.default_spec_id) +
                               ": Cannot find source column: " + std::to_string(f.source_id));
      }
    }
    for (const SortOrder& order : md_.sort_orders) {
      if (order.order_id != md_.default_sort_order_id) continue;
      for (const SortField& f : order.fields) {
        if (schema.FindById(f.source_id) == nullptr) {
          return InvalidArgument("sort order " + std::to_string(order.order_id) +
                                 ": Cannot find source column: " + std::to_string(f.source_id));
        }
      }
    }
    return Status::OK();
  }

  const Json& j_;
  TableMetadata md_;
};

Json SchemasJson(const TableMetadata& md) {
  Json list = Json::array();
  for (const auto& [id, schema] : md.schemas) list.push_back(json::SchemaToJson(schema, id));
  return list;
}

Json SnapshotsJson(const TableMetadata& md) {
  Json list = Json::array();
  for (const Snapshot& s : md.snapshots) list.push_back(json::SnapshotToJson(s));
  return list;
}

Json LogsJson(const TableMetadata& md, bool snapshot_log) {
  Json list = Json::array();
  if (snapshot_log) {
    for (const SnapshotLogEntry& e : md.snapshot_log) {
      list.push_back(Json{{"timestamp-ms", e.timestamp_ms}, {"snapshot-id", e.snapshot_id}});
    }
  } else {
    for (const MetadataLogEntry& e : md.metadata_log) {
      list.push_back(Json{{"timestamp-ms", e.timestamp_ms}, {"metadata-file", e.metadata_file}});
    }
  }
  return list;
}

// Writes everything from "current-schema-id" to "last-partition-id" (v1 also gets the legacy
// "schema" and "partition-spec" its readers require).
void WriteSchemasAndSpecs(const TableMetadata& md, Json& j) {
  if (md.format_version == 1 && md.CurrentSchema() != nullptr) {
    j["schema"] = json::SchemaToJson(*md.CurrentSchema(), md.current_schema_id);
  }
  j["current-schema-id"] = md.current_schema_id;
  j["schemas"] = SchemasJson(md);
  if (md.format_version == 1 && md.DefaultSpec() != nullptr) {
    j["partition-spec"] = json::SpecToJson(*md.DefaultSpec())["fields"];
  }
  j["default-spec-id"] = md.default_spec_id;
  Json specs = Json::array();
  for (const PartitionSpec& spec : md.specs) specs.push_back(json::SpecToJson(spec));
  j["partition-specs"] = std::move(specs);
  j["last-partition-id"] = md.last_partition_id;
}

}  // namespace

Result<TableMetadata> ParseTableMetadata(const std::string& text) {
  TARN_ASSIGN_OR_RETURN(Json j, json::ParseObject(text, "table metadata"));
  return MetadataParser(j).Parse();
}

std::string WriteTableMetadata(const TableMetadata& md) {
  Json j = Json::object();
  j["format-version"] = md.format_version;
  j["table-uuid"] = md.table_uuid;
  j["location"] = md.location;
  j["last-sequence-number"] = md.last_sequence_number;
  j["last-updated-ms"] = md.last_updated_ms;
  j["last-column-id"] = md.last_column_id;
  WriteSchemasAndSpecs(md, j);
  j["default-sort-order-id"] = md.default_sort_order_id;
  Json orders = Json::array();
  for (const SortOrder& o : md.sort_orders) orders.push_back(json::SortOrderToJson(o));
  j["sort-orders"] = std::move(orders);
  j["properties"] = Json::object();
  for (const auto& [k, v] : md.properties) j["properties"][k] = v;
  // Java writes -1 for "no current snapshot"; PyIceberg and iceberg-rust read it as none.
  j["current-snapshot-id"] = md.current_snapshot_id.value_or(-1);
  j["refs"] = Json::object();
  for (const auto& [name, ref] : md.refs) j["refs"][name] = json::RefToJson(ref);
  j["snapshots"] = SnapshotsJson(md);
  j["snapshot-log"] = LogsJson(md, /*snapshot_log=*/true);
  j["metadata-log"] = LogsJson(md, /*snapshot_log=*/false);
  for (const auto& [key, text] : md.extra_json) {
    if (j.contains(key)) continue;  // the model's own keys win
    Json value = Json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (!value.is_discarded()) j[key] = std::move(value);
  }
  return json::Dump(j);
}

}  // namespace tarn::iceberg
