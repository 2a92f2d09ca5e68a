// SchemaToAvro: the typed model to an Avro schema document with Iceberg's id properties.
#include <map>
#include <memory>

#include "tarn/schema/avro_tree.h"
#include "tarn/schema/schema.h"

namespace tarn::schema {
namespace {

using internal::Json;

// Renders Types as Avro JSON; single use (remembers the named types already written).
class ToAvro {
 public:
  Json Record(const std::vector<NestedField>& fields, const std::string& name,
              const std::vector<std::string>& aliases, const std::string& ns) {
    Json out = Json::object();
    out["type"] = "record";
    SetName(&out, name, ns);
    if (!aliases.empty()) out["aliases"] = aliases;
    std::string inner = Namespace(name, ns);
    Json list = Json::array();
    for (const NestedField& f : fields) list.push_back(Field(f, inner));
    out["fields"] = std::move(list);
    return out;
  }

  bool dedupe = true;

 private:
  static std::string Namespace(const std::string& full, const std::string& enclosing) {
    size_t dot = full.rfind('.');
    return dot == std::string::npos ? enclosing : full.substr(0, dot);
  }

  // "name" (short) plus "namespace" when it differs from the enclosing one.
  static void SetName(Json* out, const std::string& full, const std::string& ns) {
    size_t dot = full.rfind('.');
    (*out)["name"] = dot == std::string::npos ? full : full.substr(dot + 1);
    std::string own = dot == std::string::npos ? std::string() : full.substr(0, dot);
    if (dot != std::string::npos && own != ns) (*out)["namespace"] = own;
  }

  Json Field(const NestedField& f, const std::string& ns) {
    Json out = Json::object();
    out["name"] = f.name;
    out["type"] = Slot(f, ns);
    if (!f.doc.empty()) out["doc"] = f.doc;
    if (f.default_json) out["default"] = Json::parse(*f.default_json, nullptr, false);
    if (!f.aliases.empty()) out["aliases"] = f.aliases;
    if (f.id > 0) out["field-id"] = f.id;
    for (const auto& [key, value] : f.extra_props) {
      if (!out.contains(key)) out[key] = Json::parse(value, nullptr, false);
    }
    return out;
  }

  Json Slot(const NestedField& f, const std::string& ns) {
    Json t = TypeJson(*f.type, f, ns);
    if (f.required) return t;
    bool null_default = !f.default_json || Json::parse(*f.default_json, nullptr, false).is_null();
    return null_default ? Json::array({"null", std::move(t)}) : Json::array({std::move(t), "null"});
  }

  static Json Logical(const char* base, const char* logical) {
    return Json{{"type", base}, {"logicalType", logical}};
  }

  static Json Primitive(const Type& t) {
    switch (t.id) {
      case TypeId::kBoolean:
        return "boolean";
      case TypeId::kInt:
        return "int";
      case TypeId::kLong:
        return "long";
      case TypeId::kFloat:
        return "float";
      case TypeId::kDouble:
        return "double";
      case TypeId::kBinary:
        return "bytes";
      case TypeId::kString:
        return "string";
      case TypeId::kDate:
        return Logical("int", "date");
      case TypeId::kTime:
        return t.avro_millis ? Logical("int", "time-millis") : Logical("long", "time-micros");
      case TypeId::kTimestamp:
        return Logical("long", t.avro_millis ? "local-timestamp-millis" : "local-timestamp-micros");
      case TypeId::kTimestampTz:
        return Logical("long", t.avro_millis ? "timestamp-millis" : "timestamp-micros");
      case TypeId::kUuid:
        return Logical("string", "uuid");
      default: {  // a bytes-backed decimal
        Json d = Logical("bytes", "decimal");
        d["precision"] = t.precision;
        d["scale"] = t.scale;
        return d;
      }
    }
  }

  Json TypeJson(const Type& t, const NestedField& owner, const std::string& ns) {
    switch (t.id) {
      case TypeId::kString:
        if (t.enum_symbols.empty()) return "string";
        return Named(t, owner, ns, "enum_" + owner.name);
      case TypeId::kUuid:
        if (t.length == 0) return Primitive(t);
        return Named(t, owner, ns, "uuid_fixed");
      case TypeId::kDecimal:
        if (t.length == 0) return Primitive(t);
        return Named(t, owner, ns,
                     "decimal_" + std::to_string(t.precision) + "_" + std::to_string(t.scale));
      case TypeId::kFixed:
        return Named(t, owner, ns, "fixed_" + std::to_string(t.length));
      case TypeId::kStruct:
        return Named(t, owner, ns, owner.id > 0 ? "r" + std::to_string(owner.id) : owner.name);
      case TypeId::kList:
        return List(t, ns);
      case TypeId::kMap:
        return MapJson(t, ns);
      default:
        return Primitive(t);
    }
  }

  Json List(const Type& t, const std::string& ns) {
    Json out = Json::object();
    out["type"] = "array";
    out["items"] = Slot(t.element, ns);
    if (t.element.id > 0) out["element-id"] = t.element.id;
    return out;
  }

  Json MapJson(const Type& t, const std::string& ns) {
    Json out = Json::object();
    if (t.key.type->id == TypeId::kString && t.key.type->enum_symbols.empty()) {
      out["type"] = "map";
      out["values"] = Slot(t.value, ns);
      if (t.key.id > 0) out["key-id"] = t.key.id;
      if (t.value.id > 0) out["value-id"] = t.value.id;
      return out;
    }
    auto entry = std::make_shared<Type>();  // Iceberg: array<record{key, value}>, logical "map"
    entry->id = TypeId::kStruct;
    entry->fields = {t.key, t.value};
    NestedField owner;
    owner.name = "k" + std::to_string(t.key.id) + "_v" + std::to_string(t.value.id);
    out["type"] = "array";
    out["logicalType"] = "map";
    out["items"] = TypeJson(*entry, owner, ns);
    return out;
  }

  // A record, enum or fixed: defined the first time, referenced by name after that.
  Json Named(const Type& t, const NestedField& owner, const std::string& ns,
             const std::string& generated) {
    std::string base = t.avro_name.empty() ? generated : t.avro_name;
    if (!dedupe) return Definition(t, base, ns);
    ToAvro plain;
    plain.dedupe = false;
    std::string signature =
        plain.Definition(t, base, "").dump(-1, ' ', false, Json::error_handler_t::replace);
    std::string name = base;
    for (int n = 2;; ++n) {
      auto [it, fresh] = written_.emplace(name, signature);
      if (fresh) return Definition(t, name, ns);
      if (it->second == signature) return Reference(name, ns);
      name = base + "_" + std::to_string(n);
    }
  }

  // A name as written where `ns` is the enclosing namespace: short when it resolves there.
  static std::string Reference(const std::string& full, const std::string& ns) {
    size_t dot = full.rfind('.');
    if (dot == std::string::npos || full.substr(0, dot) != ns) return full;
    return full.substr(dot + 1);
  }

  Json Definition(const Type& t, const std::string& name, const std::string& ns) {
    if (t.id == TypeId::kStruct) return Record(t.fields, name, t.avro_aliases, ns);
    Json out = Json::object();
    out["type"] = t.id == TypeId::kString ? "enum" : "fixed";
    SetName(&out, name, ns);
    if (!t.avro_aliases.empty()) out["aliases"] = t.avro_aliases;
    if (t.id == TypeId::kString) {
      out["symbols"] = t.enum_symbols;
      if (t.enum_default) out["default"] = *t.enum_default;
      return out;
    }
    out["size"] = t.length;
    if (t.id == TypeId::kUuid) out["logicalType"] = "uuid";
    if (t.id == TypeId::kDecimal) {
      out["logicalType"] = "decimal";
      out["precision"] = t.precision;
      out["scale"] = t.scale;
    }
    return out;
  }

  std::map<std::string, std::string> written_;  // full name -> signature of its definition
};
}  // namespace

std::string SchemaToAvro(const Schema& schema, const std::string& record_name) {
  ToAvro render;
  return render.Record(schema.fields(), record_name, {}, "")
      .dump(-1, ' ', false, Json::error_handler_t::replace);  // never throws
}

}  // namespace tarn::schema
