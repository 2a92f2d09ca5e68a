#include "tarn/format/json_to_avro_plan.h"

#include <nlohmann/json.hpp>

#include "tarn/format/json_to_avro_scalars.h"

namespace tarn::format::internal {

using Json = nlohmann::ordered_json;

std::string_view KindName(AvroKind kind) {
  static constexpr std::string_view kNames[] = {"null",   "boolean", "int",    "long",  "float",
                                                "double", "string",  "bytes",  "fixed", "enum",
                                                "array",  "map",     "record", "union"};
  return kNames[static_cast<int>(kind)];
}

int PlanNode::BranchByTag(std::string_view tag) const {
  for (size_t i = 0; i < branches.size(); ++i) {
    const PlanNode& b = *branches[i];
    if (b.full_name.empty()) {
      if (KindName(b.kind) == tag) return static_cast<int>(i);
      continue;
    }
    std::string_view full = b.full_name;
    size_t dot = full.rfind('.');
    if (full == tag || (dot != std::string_view::npos && full.substr(dot + 1) == tag)) {
      return static_cast<int>(i);
    }
  }
  return -1;
}

SchemaPlan::~SchemaPlan() {
  if (avro_schema_) avro_schema_decref(avro_schema_);
}

// Compiles the schema document (already accepted by avro-c) into PlanNodes.
class PlanBuilder {
 public:
  explicit PlanBuilder(SchemaPlan* plan) : plan_(plan) {}

  Result<const PlanNode*> Parse(const Json& j, const std::string& ns, const std::string& where);
  Status ParseDefaults();
  Status Attach(const PlanNode* node, avro_schema_t schema);

 private:
  PlanNode* NewNode(AvroKind kind) {
    plan_->nodes_.push_back(std::make_unique<PlanNode>());
    PlanNode* n = plan_->nodes_.back().get();
    n->kind = kind;
    n->display = std::string(KindName(kind));
    return n;
  }
  static bool Primitive(std::string_view name, AvroKind* kind);
  Status Bad(const std::string& where, const std::string& what) const {
    return InvalidArgument((where.empty() ? "" : "field " + where + ": ") + what);
  }
  Status ApplyLogicalType(const Json& j, PlanNode* node, const std::string& where);
  Result<const PlanNode*> ParseNamed(const Json& j, std::string_view type, const std::string& ns,
                                     const std::string& where);

  SchemaPlan* plan_;
  std::unordered_map<std::string, PlanNode*> named_;
  struct PendingDefault {
    PlanNode* record;
    size_t field;
    std::string json;
  };
  std::vector<PendingDefault> defaults_;
};

bool PlanBuilder::Primitive(std::string_view name, AvroKind* kind) {
  static constexpr AvroKind kKinds[] = {AvroKind::kNull,   AvroKind::kBoolean, AvroKind::kInt,
                                        AvroKind::kLong,   AvroKind::kFloat,   AvroKind::kDouble,
                                        AvroKind::kString, AvroKind::kBytes};
  for (AvroKind k : kKinds) {
    if (KindName(k) == name) return *kind = k, true;
  }
  return false;
}

Result<const PlanNode*> PlanBuilder::Parse(const Json& j, const std::string& ns,
                                           const std::string& where) {
  if (j.is_string()) {
    std::string name = j.get<std::string>();
    AvroKind kind;
    if (Primitive(name, &kind)) return NewNode(kind);
    std::string full = name.find('.') != std::string::npos || ns.empty() ? name : ns + "." + name;
    auto it = named_.find(full);
    if (it == named_.end()) it = named_.find(name);
    if (it == named_.end()) return Bad(where, "unknown type '" + name + "'");
    return it->second;
  }
  if (j.is_array()) {
    PlanNode* u = NewNode(AvroKind::kUnion);
    u->display = "one of ";
    for (const Json& b : j) {
      TARN_ASSIGN_OR_RETURN(const PlanNode* branch, Parse(b, ns, where));
      if (branch->kind == AvroKind::kUnion) return Bad(where, "unions may not contain unions");
      if (branch->kind == AvroKind::kNull && u->null_branch < 0) {
        u->null_branch = static_cast<int>(u->branches.size());
      }
      u->display += (u->branches.empty() ? "" : "|") + branch->display;
      u->branches.push_back(branch);
    }
    return u;
  }
  if (!j.is_object() || !j.contains("type"))
    return Bad(where, "a type must be a name, array or object with \"type\"");
  const Json& t = j["type"];
  if (!t.is_string()) return Parse(t, ns, where);
  std::string type = t.get<std::string>();
  AvroKind kind;
  if (Primitive(type, &kind)) {
    PlanNode* n = NewNode(kind);
    TARN_RETURN_IF_ERROR(ApplyLogicalType(j, n, where));
    return n;
  }
  if (type == "array" || type == "map") {
    PlanNode* n = NewNode(type == "array" ? AvroKind::kArray : AvroKind::kMap);
    const char* key = type == "array" ? "items" : "values";
    if (!j.contains(key)) return Bad(where, type + " without \"" + key + "\"");
    TARN_ASSIGN_OR_RETURN(n->items, Parse(j[key], ns, where));
    n->display = type + " of " + n->items->display;
    return n;
  }
  if (type == "record" || type == "error" || type == "enum" || type == "fixed") {
    return ParseNamed(j, type, ns, where);
  }
  return Parse(t, ns, where);  // {"type": "SomeNamedType"}
}

Result<const PlanNode*> PlanBuilder::ParseNamed(const Json& j, std::string_view type,
                                                const std::string& outer_ns,
                                                const std::string& where) {
  if (!j.contains("name") || !j["name"].is_string()) return Bad(where, "named type without a name");
  std::string name = j["name"].get<std::string>();
  std::string ns = outer_ns;
  if (j.contains("namespace") && j["namespace"].is_string()) ns = j["namespace"];
  size_t dot = name.rfind('.');
  if (dot != std::string::npos) ns = name.substr(0, dot);
  std::string full = dot != std::string::npos || ns.empty() ? name : ns + "." + name;
  PlanNode* n = NewNode(type == "enum"    ? AvroKind::kEnum
                        : type == "fixed" ? AvroKind::kFixed
                                          : AvroKind::kRecord);
  n->full_name = full;
  named_[full] = n;
  if (n->kind == AvroKind::kEnum) {
    n->display = "enum " + full;
    for (const Json& s : j.value("symbols", Json::array())) {
      n->symbols.push_back(s.is_string() ? s.get<std::string>() : s.dump());
    }
    for (size_t i = 0; i < n->symbols.size(); ++i) n->symbol_index[n->symbols[i]] = int(i);
    return n;
  }
  if (n->kind == AvroKind::kFixed) {
    const Json size = j.value("size", Json(-1));
    if (!size.is_number_integer() || size.get<int64_t>() < 0)
      return Bad(where, "fixed without a size");
    n->fixed_size = size.get<size_t>();
    n->display = "fixed " + full + " (" + std::to_string(n->fixed_size) + " bytes)";
    TARN_RETURN_IF_ERROR(ApplyLogicalType(j, n, where));
    return n;
  }
  n->display = "record " + full;
  plan_->records_.push_back(n);
  for (const Json& f : j.value("fields", Json::array())) {
    PlanField field;
    field.name = f.value("name", "");
    field.json_name = field.name;
    if (f.contains("tarn.json_name") && f["tarn.json_name"].is_string()) {
      field.json_name = f["tarn.json_name"].get<std::string>();
    }
    std::string path = where.empty() ? field.name : where + "." + field.name;
    if (!f.contains("type")) return Bad(path, "field without a type");
    TARN_ASSIGN_OR_RETURN(field.type, Parse(f["type"], ns, path));
    if (f.contains("default")) {
      field.has_default = true;
      defaults_.push_back({n, n->fields.size(), f["default"].dump()});
    }
    n->fields.push_back(std::move(field));
  }
  for (size_t i = 0; i < n->fields.size(); ++i) {
    auto [it, fresh] = n->field_index.emplace(n->fields[i].json_name, static_cast<int>(i));
    if (!fresh) return Bad(where, "two fields read the JSON key '" + n->fields[i].json_name + "'");
  }
  return n;
}

Status PlanBuilder::ApplyLogicalType(const Json& j, PlanNode* n, const std::string& where) {
  auto lt = j.find("logicalType");
  if (lt == j.end() || !lt->is_string()) return Status::OK();
  std::string name = lt->get<std::string>();
  auto need = [&](AvroKind kind, LogicalType logical) -> Status {
    if (n->kind != kind) {
      return Bad(where, "logicalType " + name + " needs type " + std::string(KindName(kind)) +
                            ", not " + std::string(KindName(n->kind)));
    }
    n->logical = logical;
    n->display = name;
    return Status::OK();
  };
  if (name == "date") return need(AvroKind::kInt, LogicalType::kDate);
  if (name == "time-millis") return need(AvroKind::kInt, LogicalType::kTimeMillis);
  if (name == "time-micros") return need(AvroKind::kLong, LogicalType::kTimeMicros);
  if (name == "timestamp-millis") return need(AvroKind::kLong, LogicalType::kTimestampMillis);
  if (name == "timestamp-micros") return need(AvroKind::kLong, LogicalType::kTimestampMicros);
  if (name == "local-timestamp-millis") {
    return need(AvroKind::kLong, LogicalType::kLocalTimestampMillis);
  }
  if (name == "local-timestamp-micros") {
    return need(AvroKind::kLong, LogicalType::kLocalTimestampMicros);
  }
  if (name == "uuid") {
    if (n->kind == AvroKind::kFixed) return Status::OK();  // fixed(16) uuid: kept as fixed
    return need(AvroKind::kString, LogicalType::kUuid);
  }
  if (name != "decimal") return Status::OK();  // unknown logical types are ignored (spec)
  if (n->kind != AvroKind::kBytes && n->kind != AvroKind::kFixed) {
    return Bad(where, "logicalType decimal needs type bytes or fixed");
  }
  auto p = j.find("precision");
  auto s = j.find("scale");
  if (p == j.end() || !p->is_number_integer() || p->get<int64_t>() < 1) {
    return Bad(where, "decimal needs an integer precision >= 1");
  }
  if (s != j.end() &&
      (!s->is_number_integer() || s->get<int64_t>() < 0 || s->get<int64_t>() > p->get<int64_t>())) {
    return Bad(where, "decimal scale must be an integer in [0, precision]");
  }
  int64_t precision = p->get<int64_t>();
  int64_t max = n->kind == AvroKind::kFixed ? MaxDecimalPrecisionForFixed(n->fixed_size) : 38;
  if (precision > max) {
    return Bad(where, "decimal precision " + std::to_string(precision) + " exceeds " +
                          std::to_string(max) +
                          (n->kind == AvroKind::kFixed ? " (what the fixed size holds)"
                                                       : " (the largest supported)"));
  }
  n->logical = LogicalType::kDecimal;
  n->precision = static_cast<int>(precision);
  n->scale = s == j.end() ? 0 : static_cast<int>(s->get<int64_t>());
  n->display = "decimal(" + std::to_string(n->precision) + "," + std::to_string(n->scale) + ")";
  return Status::OK();
}

Status PlanBuilder::ParseDefaults() {
  std::string all = "[";
  for (size_t i = 0; i < defaults_.size(); ++i) all += (i ? "," : "") + defaults_[i].json;
  all += "]";
  plan_->defaults_json_ = simdjson::padded_string(all);
  simdjson::dom::array values;
  if (plan_->defaults_parser_.parse(plan_->defaults_json_).get(values)) {
    return Internal("cannot re-parse the schema's default values");
  }
  size_t i = 0;
  for (simdjson::dom::element v : values) {
    PendingDefault& d = defaults_[i++];
    d.record->fields[d.field].default_value = v;
  }
  return Status::OK();
}

Status PlanBuilder::Attach(const PlanNode* node, avro_schema_t s) {
  while (is_avro_link(s)) s = avro_schema_link_target(s);
  auto* n = const_cast<PlanNode*>(node);
  if (n->avro != nullptr) return Status::OK();
  n->avro = s;
  static constexpr avro_type_t kTypes[] = {
      AVRO_NULL,  AVRO_BOOLEAN, AVRO_INT32, AVRO_INT64, AVRO_FLOAT, AVRO_DOUBLE, AVRO_STRING,
      AVRO_BYTES, AVRO_FIXED,   AVRO_ENUM,  AVRO_ARRAY, AVRO_MAP,   AVRO_RECORD, AVRO_UNION};
  if (avro_typeof(s) != kTypes[static_cast<int>(n->kind)]) {
    return Internal("avro-c read " + n->display + " as another type");
  }
  switch (n->kind) {
    case AvroKind::kRecord:
      if (avro_schema_record_size(s) != n->fields.size()) return Internal("field count differs");
      for (size_t i = 0; i < n->fields.size(); ++i) {
        TARN_RETURN_IF_ERROR(
            Attach(n->fields[i].type, avro_schema_record_field_get_by_index(s, int(i))));
      }
      return Status::OK();
    case AvroKind::kUnion:
      if (avro_schema_union_size(s) != n->branches.size()) return Internal("branches differ");
      for (size_t i = 0; i < n->branches.size(); ++i) {
        TARN_RETURN_IF_ERROR(Attach(n->branches[i], avro_schema_union_branch(s, int(i))));
      }
      return Status::OK();
    case AvroKind::kArray:
      return Attach(n->items, avro_schema_array_items(s));
    case AvroKind::kMap:
      return Attach(n->items, avro_schema_map_values(s));
    case AvroKind::kFixed:
      if (static_cast<size_t>(avro_schema_fixed_size(s)) != n->fixed_size) {
        return Internal("fixed size differs");
      }
      return Status::OK();
    case AvroKind::kEnum:
      if (static_cast<size_t>(avro_schema_enum_number_of_symbols(s)) != n->symbols.size()) {
        return Internal("enum symbols differ");
      }
      return Status::OK();
    default:
      return Status::OK();
  }
}

Result<std::unique_ptr<SchemaPlan>> SchemaPlan::Build(const std::string& schema_json) {
  Json doc = Json::parse(schema_json, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return InvalidArgument("schema is not valid JSON");
  std::unique_ptr<SchemaPlan> plan(new SchemaPlan());
  plan->canonical_json_ = doc.dump();
  if (avro_schema_from_json_length(plan->canonical_json_.data(), plan->canonical_json_.size(),
                                   &plan->avro_schema_) != 0) {
    plan->avro_schema_ = nullptr;
    return InvalidArgument(std::string("invalid Avro schema: ") + avro_strerror());
  }
  PlanBuilder builder(plan.get());
  TARN_ASSIGN_OR_RETURN(plan->root_, builder.Parse(doc, "", ""));
  if (plan->root_->kind != AvroKind::kRecord) {
    return InvalidArgument("the schema must be a record at the top, not " + plan->root_->display);
  }
  TARN_RETURN_IF_ERROR(builder.ParseDefaults());
  TARN_RETURN_IF_ERROR(builder.Attach(plan->root_, plan->avro_schema_));
  return plan;
}

}  // namespace tarn::format::internal
