#include "tarn/iceberg/avro_schema.h"

#include <mutex>
#include <nlohmann/json.hpp>
#include <unordered_map>

namespace tarn::iceberg::internal {

using Json = nlohmann::json;

// Builds the node tree of one schema. Named types are registered by full name before their
// fields are parsed, so records may refer to themselves.
class AvroSchemaParser {
 public:
  explicit AvroSchemaParser(AvroSchema* out) : out_(out) {}

  Result<const AvroNode*> Parse(const Json& j, const std::string& ns, int depth);

 private:
  static constexpr int kMaxDepth = 64;

  Result<const AvroNode*> Reference(const std::string& name, const std::string& ns);
  Result<const AvroNode*> Complex(const Json& j, const std::string& ns, int depth);
  Result<const AvroNode*> Union(const Json& j, const std::string& ns, int depth);
  Result<AvroNode*> Define(const Json& j, AvroType type, const std::string& ns,
                           std::string* full_ns);
  Status Fields(const Json& j, AvroNode* record, const std::string& ns, int depth);
  AvroNode* New(AvroType type) {
    AvroNode& n = out_->nodes_.emplace_back();
    n.type = type;
    return &n;
  }

  AvroSchema* out_;
  std::unordered_map<std::string, const AvroNode*> named_;  // full name -> definition
};

namespace {

Status Invalid(const std::string& what) {
  return Corruption("the embedded Avro schema is invalid: " + what);
}

bool Primitive(std::string_view name, AvroType* type) {
  static const std::pair<std::string_view, AvroType> kPrimitives[] = {
      {"null", AvroType::kNull},   {"boolean", AvroType::kBoolean}, {"int", AvroType::kInt},
      {"long", AvroType::kLong},   {"float", AvroType::kFloat},     {"double", AvroType::kDouble},
      {"bytes", AvroType::kBytes}, {"string", AvroType::kString}};
  for (const auto& [n, t] : kPrimitives) {
    if (n == name) {
      *type = t;
      return true;
    }
  }
  return false;
}

std::string StringOr(const Json& j, const char* key, std::string fallback) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : fallback;
}

}  // namespace

Result<const AvroNode*> AvroSchemaParser::Parse(const Json& j, const std::string& ns, int depth) {
  if (depth > kMaxDepth) return Invalid("nested deeper than 64 levels");
  if (j.is_string()) return Reference(j.get<std::string>(), ns);
  if (j.is_array()) return Union(j, ns, depth);
  if (!j.is_object()) return Invalid("a type is neither a name, a union nor an object");
  return Complex(j, ns, depth);
}

Result<const AvroNode*> AvroSchemaParser::Reference(const std::string& name,
                                                    const std::string& ns) {
  AvroType type;
  if (Primitive(name, &type)) {
    AvroNode* n = New(type);
    n->empty = type == AvroType::kNull;
    return n;
  }
  if (name.find('.') == std::string::npos && !ns.empty()) {
    auto it = named_.find(ns + "." + name);
    if (it != named_.end()) return it->second;
  }
  auto it = named_.find(name);
  if (it == named_.end()) return Invalid("unknown type '" + name + "'");
  return it->second;
}

Result<const AvroNode*> AvroSchemaParser::Union(const Json& j, const std::string& ns, int depth) {
  AvroNode* n = New(AvroType::kUnion);
  for (const Json& branch : j) {
    TARN_ASSIGN_OR_RETURN(const AvroNode* b, Parse(branch, ns, depth + 1));
    if (b->type == AvroType::kUnion) return Invalid("a union directly inside a union");
    n->branches.push_back(b);
  }
  return n;
}

// A named type (record, enum, fixed): registered under its full name; `full_ns` receives the
// namespace its own fields resolve names in.
Result<AvroNode*> AvroSchemaParser::Define(const Json& j, AvroType type, const std::string& ns,
                                           std::string* full_ns) {
  std::string name = StringOr(j, "name", "");
  if (name.empty()) return Invalid("a named type without a name");
  size_t dot = name.rfind('.');
  *full_ns = dot != std::string::npos ? name.substr(0, dot) : StringOr(j, "namespace", ns);
  std::string short_name = dot != std::string::npos ? name.substr(dot + 1) : name;
  std::string full = full_ns->empty() ? short_name : *full_ns + "." + short_name;
  AvroNode* n = New(type);
  n->name = short_name;
  if (!named_.emplace(full, n).second) return Invalid("type '" + full + "' is defined twice");
  return n;
}

Result<const AvroNode*> AvroSchemaParser::Complex(const Json& j, const std::string& ns, int depth) {
  auto type_it = j.find("type");
  if (type_it == j.end()) return Invalid("an object without a type");
  if (!type_it->is_string()) return Parse(*type_it, ns, depth + 1);
  std::string type = type_it->get<std::string>();
  std::string inner_ns;
  if (type == "record" || type == "error") {
    TARN_ASSIGN_OR_RETURN(AvroNode * n, Define(j, AvroType::kRecord, ns, &inner_ns));
    TARN_RETURN_IF_ERROR(Fields(j, n, inner_ns, depth));
    return n;
  }
  if (type == "enum") {
    TARN_ASSIGN_OR_RETURN(AvroNode * n, Define(j, AvroType::kEnum, ns, &inner_ns));
    return n;
  }
  if (type == "fixed") {
    TARN_ASSIGN_OR_RETURN(AvroNode * n, Define(j, AvroType::kFixed, ns, &inner_ns));
    auto size = j.find("size");
    if (size == j.end() || !size->is_number_integer() || size->get<int64_t>() < 0) {
      return Invalid("fixed '" + n->name + "' without a valid size");
    }
    n->size = size->get<int64_t>();
    n->empty = n->size == 0;
    return n;
  }
  if (type == "array" || type == "map") {
    auto items = j.find(type == "array" ? "items" : "values");
    if (items == j.end()) return Invalid(type + " without its element type");
    AvroNode* n = New(type == "array" ? AvroType::kArray : AvroType::kMap);
    TARN_ASSIGN_OR_RETURN(n->items, Parse(*items, ns, depth + 1));
    return n;
  }
  return Reference(type, ns);  // {"type": "long", "logicalType": ...} or a named type
}

Status AvroSchemaParser::Fields(const Json& j, AvroNode* record, const std::string& ns, int depth) {
  auto fields = j.find("fields");
  if (fields == j.end() || !fields->is_array()) {
    return Invalid("record '" + record->name + "' without fields");
  }
  record->fields.reserve(fields->size());
  bool empty = true;
  for (const Json& f : *fields) {
    if (!f.is_object() || !f.contains("type")) {
      return Invalid("a field of record '" + record->name + "' without a type");
    }
    AvroField field;
    field.name = StringOr(f, "name", "");
    auto id = f.find("field-id");
    if (id != f.end() && id->is_number_integer()) {
      field.has_id = true;
      field.id = id->get<int>();
    }
    TARN_ASSIGN_OR_RETURN(field.type, Parse(f["type"], ns, depth + 1));
    empty = empty && field.type->empty;
    record->fields.push_back(std::move(field));
  }
  record->empty = empty;
  return Status::OK();
}

namespace {

// Parsed schemas by text. Bounded: cleared when full (files of other writers may each bring
// their own text; a table's own files repeat a few).
struct SchemaMemo {
  static constexpr size_t kMaxSchemas = 64;
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
  };
  std::mutex mu;
  std::unordered_map<std::string, std::shared_ptr<const AvroSchema>, Hash, std::equal_to<>> map;
};

SchemaMemo& Memo() {
  static SchemaMemo* memo = new SchemaMemo();  // never destroyed: used until exit
  return *memo;
}

}  // namespace

Result<std::shared_ptr<const AvroSchema>> AvroSchema::Parse(std::string_view json) {
  SchemaMemo& memo = Memo();
  {
    std::lock_guard<std::mutex> lock(memo.mu);
    auto it = memo.map.find(json);
    if (it != memo.map.end()) return it->second;
  }
  Json j = Json::parse(json, nullptr, false);
  if (j.is_discarded()) return Corruption("the embedded Avro schema is not JSON");
  auto schema = std::make_shared<AvroSchema>();
  AvroSchemaParser parser(schema.get());
  TARN_ASSIGN_OR_RETURN(schema->root_, parser.Parse(j, "", 0));
  std::lock_guard<std::mutex> lock(memo.mu);
  if (memo.map.size() >= SchemaMemo::kMaxSchemas) memo.map.clear();
  memo.map.emplace(std::string(json), schema);
  return std::shared_ptr<const AvroSchema>(std::move(schema));
}

}  // namespace tarn::iceberg::internal
